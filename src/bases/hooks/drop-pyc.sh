# basebench stand-in hook (customize, python:*-slim): the real python:*-slim images delete
# every *.pyc under /usr/local after building CPython and install pip with --no-compile
# (docker-library/python, slim-bookworm/Dockerfile), so their standard library starts
# uncompiled. Debian's packages compile theirs when configured (py3compile): remove those
# caches so the stand-in starts like the real image (docs/STAND-INS.md).
find "$root/usr/lib" -depth -type d -name __pycache__ -path '*/python3*' -exec rm -rf '{}' +
if find "$root/usr/lib" -name '*.pyc' -path '*/python3*' | grep -q .; then
    echo "compiled Python modules are left under $root/usr/lib" >&2
    exit 1
fi
