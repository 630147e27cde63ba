# basebench stand-in hook (customize, extract variant): turn extracted Debian packages into
# a distroless-style root filesystem. $1 is the root filesystem; BASEBENCH_EXTRA_CA_DIR is
# the host directory of extra CA certificates. Runs on the host (there is no shell inside).
set -eu
root="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Data-only packages fetched without their dependencies (ca-certificates would pull in
# openssl, debconf and perl): the Mozilla certificates and the time zone database.
(cd "$work" && APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" apt-get download -q -o APT::Sandbox::User=root \
    ca-certificates tzdata >/dev/null)
for deb in "$work"/*.deb; do dpkg-deb --extract "$deb" "$root"; done

# Distroless-style package records: one file per package under status.d.
mkdir -p "$root/var/lib/dpkg/status.d"
for deb in "$root"/var/cache/apt/archives/*.deb "$work"/*.deb; do
    pkg=$(dpkg-deb --field "$deb" Package)
    case "$pkg" in
    dpkg | tar)
        # Package-manager tooling pulled in by readline-common's dependency: remove its files.
        dpkg-deb --fsys-tarfile "$deb" | tar -t | while read -r path; do
            target="$root/${path#./}"
            if [ -L "$target" ] || [ -f "$target" ]; then rm -f "$target"; fi
        done
        ;;
    *) dpkg-deb --field "$deb" >"$root/var/lib/dpkg/status.d/$pkg" ;;
    esac
done
# No package manager state (mmdebstrap runs with --skip=cleanup/apt,cleanup/mmdebstrap).
rm -rf "$root/etc/dpkg" "$root/usr/share/dpkg" "$root/usr/lib/dpkg" "$root/etc/apt" \
    "$root/var/lib/apt" "$root/var/cache/apt" "$root/var/lib/dpkg/info" \
    "$root/var/lib/dpkg/alternatives" "$root/etc/alternatives"
find "$root/var/lib/dpkg" -mindepth 1 -maxdepth 1 ! -name status.d -exec rm -rf {} +
# Scripts and documentation a distroless image does not carry (copyright files stay).
rm -rf "$root/usr/sbin/update-ca-certificates" "$root/etc/ca-certificates" \
    "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian"

# CA bundle built here on the host side (update-ca-certificates cannot run inside).
mkdir -p "$root/etc/ssl/certs"
for crt in "$root"/usr/share/ca-certificates/mozilla/*.crt "${BASEBENCH_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt; do
    if [ -f "$crt" ]; then sed -e '$a\' "$crt"; fi
done >"$root/etc/ssl/certs/ca-certificates.crt"
test -s "$root/etc/ssl/certs/ca-certificates.crt"

# Users like distroless: root, nobody and nonroot (65532); no login shell anywhere.
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
GROUP
cat >"$root/etc/os-release" <<'OSREL'
PRETTY_NAME="Distroless (basebench stand-in)"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
OSREL
mkdir -p "$root/root" "$root/home/nonroot" "$root/tmp"
chmod 0700 "$root/root"
chown 65532:65532 "$root/home/nonroot"
chmod 1777 "$root/tmp"
for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash; do
    if [ -e "$root/$sh" ]; then echo "unexpected shell $sh in the distroless stand-in" >&2; exit 1; fi
done
