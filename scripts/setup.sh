#!/usr/bin/env bash
# Install and start everything basebench and its tests need, on Debian 12 as root.
# Idempotent: safe to run again; only installs what is missing and only starts dockerd when
# no daemon answers.
set -euo pipefail

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || need_pkgs+=(mmdebstrap)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc libc6-dev)
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
# The optimize test's shell base: Debian's static busybox in a FROM scratch image.
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
# The remote-engine tests: certificates (openssl), a network namespace (ip, nsenter).
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need_pkgs+=(util-linux)
# The local registry of `--registry` (scripts/registry.sh runs it with a config of its own).
fresh_registry=
command -v docker-registry >/dev/null 2>&1 || { need_pkgs+=(docker-registry); fresh_registry=1; }
# Podman, for `--engine podman` and its tests (its API socket is started below).
command -v podman >/dev/null 2>&1 || need_pkgs+=(podman)
# The ssh:// engine tests run an sshd of their own on 127.0.0.1 (the system one stays off).
fresh_sshd=
[ -x /usr/sbin/sshd ] || { need_pkgs+=(openssh-server); fresh_sshd=1; }
command -v ssh >/dev/null 2>&1 || need_pkgs+=(openssh-client)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
if [ -n "$fresh_registry" ]; then
  # The package's own service uses /etc/docker/registry/config.yml: htpasswd auth, listening
  # on every interface. basebench never uses it: keep it stopped and disabled.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/docker-registry ]; then
    /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
  fi
  if ss -ltnp 2>/dev/null | grep -q '"docker-registry"\|"registry"'; then
    echo "setup: the docker-registry package's service is listening; stop it (systemctl disable --now docker-registry)" >&2
    exit 1
  fi
fi

if [ -n "$fresh_sshd" ]; then
  # The package's own sshd listens on every interface; basebench's tests never use it.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/ssh ]; then
    /etc/init.d/ssh stop >/dev/null 2>&1 || true
  fi
fi

if ! command -v cargo-nextest >/dev/null 2>&1 && ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

# The Debian engine's own client; a newer client elsewhere on PATH also works.
docker_cli=docker
[ -x /usr/bin/docker ] && docker_cli=/usr/bin/docker

if ! timeout 10 "$docker_cli" info >/dev/null 2>&1; then
  echo "setup: starting dockerd (log: /var/log/basebench-dockerd.log)"
  # Defaults on purpose: they set up the iptables NAT that build containers need.
  # setsid: a session of its own, so the daemon outlives the shell (and its process group) that ran this.
  setsid nohup dockerd >/var/log/basebench-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    timeout 5 "$docker_cli" info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! timeout 10 "$docker_cli" info >/dev/null 2>&1; then
    echo "setup: dockerd did not come up; last log lines:" >&2
    tail -n 30 /var/log/basebench-dockerd.log >&2 || true
    exit 1
  fi
fi
echo "setup: docker $("$docker_cli" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# Podman's Docker-compatible API socket. Podman raises a container's open-files and process
# limits by default, and this sandbox refuses to raise them ("error setting rlimit type 7:
# operation not permitted"): keep containers at the limits this shell has, as a user here
# would have to.
podman_sock=/run/podman/podman.sock
mkdir -p /etc/containers/containers.conf.d /run/podman
# (Open files: this shell's hard limit, at most 65536; processes: 4096, plenty for one app,
# where this shell's own hard limit was refused.)
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
[ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
cat >/etc/containers/containers.conf.d/basebench-ulimits.conf <<CONF
# Written by basebench's scripts/setup.sh: containers keep the limits this machine allows.
[containers]
default_ulimits = [
  "nofile=$nofile:$nofile",
  "nproc=$nproc:$nproc",
]
CONF
if ! timeout 10 curl -sf --unix-socket "$podman_sock" http://podman/_ping >/dev/null 2>&1; then
  echo "setup: starting podman system service (log: /var/log/basebench-podman.log)"
  setsid nohup podman system service --time=0 "unix://$podman_sock" >/var/log/basebench-podman.log 2>&1 &
  for _ in $(seq 1 30); do
    timeout 5 curl -sf --unix-socket "$podman_sock" http://podman/_ping >/dev/null 2>&1 && break
    sleep 1
  done
  if ! timeout 10 curl -sf --unix-socket "$podman_sock" http://podman/_ping >/dev/null 2>&1; then
    echo "setup: podman's API socket did not come up; last log lines:" >&2
    tail -n 30 /var/log/basebench-podman.log >&2 || true
    exit 1
  fi
fi
echo "setup: podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version) at unix://$podman_sock"
