# basebench stand-in hook (customize, chroot variants): apt configured as in the official
# Debian and Ubuntu images (debuerreotype's minimizing config, from Docker's old
# contrib/mkimage/debootstrap): downloaded .debs deleted after every install, the package
# lists kept compressed, no translations, suggested packages not kept by autoremove.
# Without it an `apt-get install` in a build on the stand-in keeps every .deb it fetched,
# which the real image deletes. Uses `root` from the hook before it.
mkdir -p "$root/etc/apt/apt.conf.d"
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::GzipIndexes "true";' > "$root/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
# The binary caches apt made while the stand-in was built: with `Dir::Cache::pkgcache ""`
# set, mmdebstrap's own clean-up no longer finds them by that setting.
rm -f "$root"/var/cache/apt/*.bin
