#!/usr/bin/env python3
"""Write the seed corpora under fuzz/corpus/ (run from anywhere; stdlib only).

Copied from the repo: the variants' Dockerfiles, sample-app/.dockerignore and the
results.json fixtures. Written here: Dockerfiles that reach the expansion and the stage
resolution, dockerignore rules with paths, history lines, and small image archives in the
three layouts anatomy reads (docker save, docker save + OCI, OCI only), plain and gzip
layers, with the entries anatomy/synth.rs makes (files, dirs, symlinks, hardlinks,
whiteouts, an opaque directory, /etc/os-release, a passwd, a .pyc).
"""
import gzip
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
CORPUS = FUZZ / "corpus"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def dockerfiles():
    for f in sorted((REPO / "variants").glob("Dockerfile.*")):
        write("dockerfile", f.name, f.read_bytes())
    write("dockerfile", "args-and-stages", """\
# syntax=docker/dockerfile:1
ARG VERSION=3.11
ARG BASE=python:${VERSION:-3.12}-slim
ARG REG
FROM --platform=$BUILDPLATFORM ${REG:+$REG/}${BASE} AS build
RUN pip install --user -r requirements.txt \\
    && echo "${VERSION}"
FROM build AS test
COPY --from=build /root/.local /root/.local
FROM ${BASE%-slim}:latest
COPY --chown=1000 app/ /app/
ADD https://example.com/x.tgz /tmp/
USER app
CMD ["python", "-m", "app"]
""")
    write("dockerfile", "escape-and-nesting", "\ufeff# escape=`\nARG A=${B:-${C:-${D:-x}}}\nFROM alpine:${A}`\n  AS base\nRUN echo `$HOME\n")
    write("dockerfile", "heredoc-onbuild", "FROM scratch\nCOPY <<EOF /a\nhi\nEOF\nONBUILD RUN x\nHEALTHCHECK CMD true\n")


def dockerignores():
    write("dockerignore", "sample-app", (REPO / "sample-app" / ".dockerignore").read_bytes())
    write("dockerignore", "negations", "**/*.pyc\n!keep/**/*.pyc\n/build\n[a-c]?.txt\n\\#notcomment\n"
          "\x00keep/x/y.pyc\nsrc/a.pyc\nb1.txt\nbuild/out\n")
    write("dockerignore", "classes", "\ufeff# c\r\n*\r\n!Dockerfile\r\n!app/[!_]*.py\r\n**\r\n"
          "\x00app/main.py\napp/_x.py\n")


def results():
    for name in ("article.json", "baseline.json"):
        write("results", name, (REPO / "tests" / "fixtures" / "results" / name).read_bytes())
    write("results", "minimal.json", '{"schema_version": 2}\n')


def history():
    line = lambda run, t, vs: json.dumps({"run_id": run, "time": t, "variants": vs}) + "\n"
    v = lambda name, works, size, build, start, si=False: {
        "name": name, "works": works, "size_bytes": size, "cold_build_s": build,
        "startup_median_ms": start, "stand_in": si}
    text = (line("r1", "2026-01-01T00:00:00Z", [v("slim", True, 287000000, 41.5, 312.0, True),
                                                  v("alpine", False, None, None, None)])
            + line("r2", "2026-01-02T00:00:00Z", [v("slim", True, 280000000, 40.0, 300.5)])
            + "\n{\"run_id\": \"half-writ\n"
            + json.dumps({"run_id": "r3", "time": "2026-01-03T00:00:00Z", "complete": False,
                          "variants": [v("slim", True, 1, 0.5, 1e300)]}) + "\n")
    write("history", "three-runs.jsonl", text)
    write("history", "one-run.jsonl", line("r", "2026-01-01T00:00:00Z", [v("a", True, 1, 1.0, 1.0)]))


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            info = tarfile.TarInfo(e["path"])
            info.mtime = 1700000000
            kind = e.get("kind", "file")
            data = e.get("data", b"")
            if kind == "file":
                info.size = len(data)
                info.mode = e.get("mode", 0o644)
                t.addfile(info, io.BytesIO(data))
                continue
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, e["target"]
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, e["target"]
            t.addfile(info)
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def image(layers, layout, user="", gz=False):
    """layers: list of (created_by, tar bytes); layout: legacy | both | oci."""
    blobs = [gzip.compress(l, mtime=0) if gz else l for _, l in layers]
    diff_ids = ["sha256:" + sha(l) for _, l in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"User": user, "Env": ["PATH=/usr/bin:/bin"]},
        "history": [{"created_by": c} for c, _ in layers],
        "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    files = []
    legacy = layout == "legacy"
    paths = [(f"{sha(b)}/layer.tar" if legacy else f"blobs/sha256/{sha(b)}") for b in blobs]
    files += list(zip(paths, blobs))
    config_path = f"{sha(config)}.json" if legacy else f"blobs/sha256/{sha(config)}"
    files.append((config_path, config))
    if not legacy:
        media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + sha(config), "size": len(config)},
            "layers": [{"mediaType": media, "digest": "sha256:" + sha(b), "size": len(b)}
                       for b in blobs]}).encode()
        files.append((f"blobs/sha256/{sha(manifest)}", manifest))
        index = json.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": "sha256:" + sha(manifest), "size": len(manifest)}]}).encode()
        files += [("index.json", index), ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    if layout != "oci":
        files.append(("manifest.json", json.dumps(
            [{"Config": config_path, "RepoTags": ["seed:latest"], "Layers": paths}]).encode()))
    return tar_bytes([{"path": p, "data": d} for p, d in files])


def archives():
    base = tar_bytes([
        {"path": "bin", "kind": "dir"},
        {"path": "bin/sh", "data": b"\x7fELF", "mode": 0o755},
        {"path": "bin/bash", "kind": "hardlink", "target": "bin/sh"},
        {"path": "etc", "kind": "dir"},
        {"path": "etc/os-release", "data": b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'},
        {"path": "etc/passwd", "data": b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n"},
        {"path": "lib", "kind": "dir"},
        {"path": "lib/libc.so.6", "kind": "symlink", "target": "libc-2.36.so"},
        {"path": "lib/libc-2.36.so", "data": b"x" * 64},
        {"path": "var/lib/dpkg/status", "data": b"Package: libc6\nStatus: install ok installed\nVersion: 2.36\n\n"},
        {"path": "tmp/big", "data": b"y" * 200},
    ])
    top = tar_bytes([
        {"path": "tmp/.wh.big"},
        {"path": "usr/lib/python3.11/.wh..wh..opq"},
        {"path": "usr/bin/python3.11", "data": b"\x7fELF", "mode": 0o755},
        {"path": "usr/lib/python3.11/os.py", "data": b"import sys\n"},
        {"path": "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
         "data": b"\xa7\x0d\x0d\x0a" + b"\x00" * 4 + (1700000000).to_bytes(4, "little") + (11).to_bytes(4, "little")},
        {"path": "app/main.py", "data": b"print('hi')\n"},
    ])
    layers = [("/bin/sh -c #(nop) ADD file:base in /", base), ("RUN pip install app", top)]
    write("archive", "docker-save.tar", image(layers, "legacy", user="app"))
    write("archive", "docker-save-oci-gzip.tar", image(layers, "both", gz=True))
    write("archive", "oci-only.tar", image(layers[:1], "oci"))


if __name__ == "__main__":
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    dockerfiles()
    dockerignores()
    results()
    history()
    archives()
    for d in sorted(CORPUS.iterdir()):
        print(d.name, len(list(d.iterdir())), sum(f.stat().st_size for f in d.iterdir()))
