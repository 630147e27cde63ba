//! The address containers publish their ports on, and the probe connects to: the engine
//! host's own address. A local engine (a unix socket, or `tcp://` to a loopback name)
//! publishes on 127.0.0.1; a remote one (`tcp://HOST:PORT`) on the address basebench
//! reaches HOST by, so the ports are never open on every interface of a remote machine,
//! and the probe goes where they are. An `ssh://[USER@]HOST[:PORT]` engine publishes on
//! HOST's address the same way.

use std::net::{IpAddr, Ipv4Addr};

/// The address an engine at `host` (a `DOCKER_HOST` value) publishes on; a name is
/// resolved (IPv4 first). `None` when a `tcp://` name does not resolve.
pub(super) async fn published_ip(host: &str) -> Option<IpAddr> {
    if host.starts_with("ssh://") {
        let target = super::ssh::SshTarget::parse(host).ok()?;
        return resolved(target.host_and_port()).await;
    }
    let Some(authority) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
        .or_else(|| host.strip_prefix("https://"))
    else {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    };
    let authority = authority.split('/').next().unwrap_or_default();
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else {
        format!("{authority}:2375")
    };
    resolved(with_port).await
}

/// The address `with_port` (`HOST:PORT`) resolves to, IPv4 first; loopback as 127.0.0.1.
async fn resolved(with_port: String) -> Option<IpAddr> {
    let found: Vec<IpAddr> = tokio::net::lookup_host(with_port)
        .await
        .ok()?
        .map(|a| a.ip())
        .collect();
    let ip = found
        .iter()
        .copied()
        .find(IpAddr::is_ipv4)
        .or_else(|| found.first().copied())?;
    Some(if ip.is_loopback() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        ip
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_engines_publish_on_loopback_and_remote_ones_on_their_address() {
        let local = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(published_ip("unix:///var/run/docker.sock").await, local);
        assert_eq!(published_ip("tcp://127.0.0.1:2375").await, local);
        assert_eq!(published_ip("tcp://localhost:2376").await, local);
        assert_eq!(
            published_ip("tcp://10.214.7.2:2376").await,
            Some("10.214.7.2".parse().expect("ip"))
        );
        assert_eq!(
            published_ip("tcp://[fd00::2]:2376").await,
            Some("fd00::2".parse().expect("ip"))
        );
        assert_eq!(published_ip("tcp://no-such-host.invalid:2376").await, None);
        assert_eq!(published_ip("ssh://root@127.0.0.1:2222").await, local);
        assert_eq!(
            published_ip("ssh://builder@10.214.7.2").await,
            Some("10.214.7.2".parse().expect("ip"))
        );
    }
}
