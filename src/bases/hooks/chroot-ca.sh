# basebench stand-in hook (customize, chroot variants): trust the host's extra CA
# certificates inside the image. $1 is the root filesystem; BASEBENCH_EXTRA_CA_DIR is the
# host directory of extra certificates (*.crt), usually /usr/local/share/ca-certificates.
set -eu
root="$1"
mkdir -p "$root/usr/local/share/ca-certificates"
for crt in "${BASEBENCH_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt; do
    if [ -f "$crt" ]; then cp "$crt" "$root/usr/local/share/ca-certificates/"; fi
done
chroot "$root" update-ca-certificates --fresh >/dev/null
test -s "$root/etc/ssl/certs/ca-certificates.crt"
