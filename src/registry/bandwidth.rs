//! Link speeds for the pull estimate (`bandwidth = ["100Mbit", "1Gbit"]`, `--bandwidth`): a
//! loopback registry measures transfer, decompression and unpack, not a WAN, so each
//! pushed image also gets `compressed bytes ÷ bandwidth + the measured local pull`,
//! labelled as an estimate.

use std::fmt;

/// A link speed in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Bandwidth(pub(crate) u64);

impl Bandwidth {
    /// Read `100Mbit`, `1Gbit`, `1.5Gbit/s`, `500kbit` (bits, powers of 10) or `12.5MB/s`
    /// (bytes per second).
    pub(crate) fn parse(text: &str) -> Result<Bandwidth, String> {
        let bad = || {
            format!(
                "'{text}' is not a bandwidth: write a number with a unit, e.g. 100Mbit, 1Gbit, \
                 500kbit or 12.5MB/s"
            )
        };
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (number, unit) = t.split_at(split);
        let value: f64 = number.parse().map_err(|_| bad())?;
        let unit = unit.trim();
        let unit = unit.strip_suffix("/s").unwrap_or(unit);
        let bits_per = match unit {
            "kbit" | "Kbit" => 1e3,
            "Mbit" | "mbit" => 1e6,
            "Gbit" | "gbit" => 1e9,
            "kB" | "KB" => 8e3,
            "MB" => 8e6,
            "GB" => 8e9,
            _ => return Err(bad()),
        };
        let bps = value * bits_per;
        if !bps.is_finite() || bps < 1e3 {
            return Err(format!("'{text}' is below 1 kbit/s: give a link speed"));
        }
        Ok(Bandwidth(bps.round() as u64))
    }

    /// Seconds to move `bytes` at this speed.
    pub(crate) fn seconds_for(self, bytes: u64) -> f64 {
        bytes as f64 * 8.0 / self.0 as f64
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bps = self.0 as f64;
        let (value, unit) = if bps >= 1e9 {
            (bps / 1e9, "Gbit/s")
        } else if bps >= 1e6 {
            (bps / 1e6, "Mbit/s")
        } else {
            (bps / 1e3, "kbit/s")
        };
        let text = format!("{value:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{text} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_speeds_read_in_bits_or_bytes_per_second() {
        let b = |t: &str| Bandwidth::parse(t).map(|b| b.0);
        assert_eq!(b("100Mbit"), Ok(100_000_000));
        assert_eq!(b("1Gbit"), Ok(1_000_000_000));
        assert_eq!(b("1.5 Gbit/s"), Ok(1_500_000_000));
        assert_eq!(b("500kbit"), Ok(500_000));
        assert_eq!(b("12.5MB/s"), Ok(100_000_000));
        for bad in ["100", "fast", "100Mb", "0Mbit", "Mbit", "-1Gbit"] {
            assert!(Bandwidth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_link_speed_shows_with_its_unit_and_times_a_transfer() {
        assert_eq!(Bandwidth(100_000_000).to_string(), "100 Mbit/s");
        assert_eq!(Bandwidth(1_500_000_000).to_string(), "1.5 Gbit/s");
        assert_eq!(Bandwidth(1_000_000_000).seconds_for(125_000_000), 1.0);
    }
}
