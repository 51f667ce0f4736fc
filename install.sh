#!/usr/bin/env bash
# Installs, upgrades or removes selfsnap on a systemd host; run `sudo ./install.sh --help`.
# Works from a clone or from an unpacked release tarball. Re-running upgrades in place and keeps
# /etc/selfsnap and /var/lib/selfsnap. This script never calls the cloud, so it creates and
# deletes no snapshot.
set -euo pipefail

readonly UNIT_NAME=selfsnap.service
readonly UNIT_PATH=/etc/systemd/system/$UNIT_NAME
readonly CONFIG_DIR=/etc/selfsnap
readonly STATE_DIR=/var/lib/selfsnap
readonly LINK_PATH=/usr/local/bin/selfsnap
readonly GROUP=selfsnap
readonly MIN_NODE_MAJOR=20
# Written into the install folder; --uninstall deletes only a folder that contains it.
readonly MARKER=.installed-by-selfsnap

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
release_dir="$source_dir/dist/release"
prefix=''
action=install
purge=false
start=true
hooks=''
runtime=auto

usage() {
  cat <<EOF
Usage: sudo ./install.sh [--prefix DIR] [--no-start] [--hooks apt|dnf] [--runtime auto|node|sea]
       sudo ./install.sh --uninstall [--purge]

Installs selfsnap into DIR (default /opt/selfsnap) and links $LINK_PATH to it, installs
$UNIT_PATH, creates the '$GROUP' group and, when missing, $CONFIG_DIR/config.yaml,
then enables and starts the service. Running it again upgrades in place.

  --prefix DIR     install folder (default /opt/selfsnap)
  --no-start       enable the service but do not start or restart it
  --hooks PM       also take a snapshot before each upgrade by package manager PM (apt or dnf)
  --runtime KIND   node: the system Node.js (>= $MIN_NODE_MAJOR); sea: the bundled single
                   executable; auto (default): node when it is recent enough, else sea
  --uninstall      remove the program, the link, the unit and the package hooks, but keep
                   $CONFIG_DIR, $STATE_DIR and every snapshot
  --purge          with --uninstall: also remove $CONFIG_DIR, $STATE_DIR and the group
Set SYSTEMD_OFFLINE=1 to install into a chroot or image whose systemd is not running.
EOF
}

log() { printf 'selfsnap install: %s\n' "$*"; }

# Prints an error, and on a second line what to do about it, then exits 1.
die() {
  printf 'selfsnap install: error: %s\n' "$1" >&2
  if [[ $# -gt 1 ]]; then printf '  fix: %s\n' "$2" >&2; fi
  exit 1
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --prefix) prefix="${2:-}"; shift ;;
      --prefix=*) prefix="${1#*=}" ;;
      --no-start) start=false ;;
      --hooks) hooks="${2:-}"; shift ;;
      --hooks=*) hooks="${1#*=}" ;;
      --runtime) runtime="${2:-}"; shift ;;
      --runtime=*) runtime="${1#*=}" ;;
      --uninstall) action=uninstall ;;
      --purge) purge=true ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option '$1'" "run ./install.sh --help" ;;
    esac
    shift
  done
  if [[ -n "$prefix" && ("$prefix" != /* || "$prefix" == /) ]]; then
    die "invalid --prefix '$prefix'" "give an absolute folder such as /opt/selfsnap"
  fi
  [[ "$hooks" =~ ^(|apt|dnf)$ ]] || die "invalid --hooks '$hooks'" "use --hooks apt or --hooks dnf"
  [[ "$runtime" =~ ^(auto|node|sea)$ ]] || die "invalid --runtime '$runtime'" "use auto, node, sea"
  [[ "$purge" == false || "$action" == uninstall ]] || die "--purge works only with --uninstall"
}

# systemd is online when it runs as PID 1 here and SYSTEMD_OFFLINE is not 1 (chroot, image).
systemd_online() {
  [[ "${SYSTEMD_OFFLINE:-0}" != 1 && -d /run/systemd/system ]]
}

# Prints the install folder that the installed unit names, or nothing without a unit.
installed_prefix() {
  [[ -f "$UNIT_PATH" ]] && sed -n 's|^ExecStart=\(/.*\)/bin/selfsnap daemon.*|\1|p' "$UNIT_PATH"
  return 0
}

sea_name() {
  case "$(uname -m)" in
    x86_64) echo selfsnap-linux-x64 ;;
    aarch64) echo selfsnap-linux-arm64 ;;
    *) echo "selfsnap-linux-$(uname -m)" ;;
  esac
}

# Builds dist/release in a clone whose dependencies are installed, as the user who ran sudo.
build_release() {
  local fix="run 'npm ci && npm run build:release' in $source_dir as your own user, then re-run"
  [[ -f "$source_dir/package.json" ]] || die "no release files in $release_dir" \
    "unpack a complete release tarball, or $fix"
  command -v npm >/dev/null || die "$release_dir is missing and npm is not installed" \
    "build the release on a machine with Node.js >= $MIN_NODE_MAJOR and copy dist/release here"
  [[ -d "$source_dir/node_modules" ]] || die "$release_dir is missing" "$fix"
  log "building the release files with npm run build:release"
  if [[ -n "${SUDO_USER:-}" && "$SUDO_USER" != root ]]; then
    (cd "$source_dir" && runuser -u "$SUDO_USER" -- npm run --silent build:release)
  else
    (cd "$source_dir" && npm run --silent build:release)
  fi
}

# Sets $node_path to the system Node.js to run the bundle with, or to '' for the executable.
choose_runtime() {
  local node major=''
  node="$(command -v node || true)"
  if [[ -n "$node" ]]; then major="$("$node" -p 'process.versions.node.split(".")[0]' || true)"; fi
  node_path=''
  if [[ "$runtime" != sea && "$major" =~ ^[0-9]+$ ]] && ((major >= MIN_NODE_MAJOR)); then
    node_path="$(readlink -f "$node")"
    [[ -f "$release_dir/selfsnap.cjs" ]] || build_release
    log "runtime: Node.js $major at $node_path"
    return
  fi
  if [[ "$runtime" == node ]]; then
    die "--runtime node needs Node.js >= $MIN_NODE_MAJOR, found ${major:-none}" \
      "install Node.js $MIN_NODE_MAJOR or newer, or use --runtime sea"
  fi
  [[ -f "$release_dir/$(sea_name)" ]] || build_release
  [[ -x "$release_dir/$(sea_name)" ]] || die "no single executable $(sea_name) for this machine" \
    "install Node.js >= $MIN_NODE_MAJOR, or build the release on a $(uname -m) machine"
  log "runtime: the single executable $(sea_name) (system Node.js: ${major:-none})"
}

# Stops before anything changes when --hooks is given but this release has no hooks command.
check_hooks_support() {
  [[ -n "$hooks" ]] || return 0
  local cli=("$release_dir/$(sea_name)")
  if [[ -n "$node_path" ]]; then cli=("$node_path" "$release_dir/selfsnap.cjs"); fi
  "${cli[@]}" hooks --help >/dev/null 2>&1 || die "--hooks: this release has no 'hooks' command" \
    "install without --hooks, or use a release whose 'selfsnap --help' lists 'hooks'"
}

# Installs $1 as $2 with mode $3 through a rename, so a running daemon keeps its old file intact.
install_file() {
  install -m "$3" "$1" "$2.new"
  mv -f "$2.new" "$2"
}

install_program() {
  if [[ -e "$prefix" && ! -e "$prefix/$MARKER" && -n "$(ls -A "$prefix")" ]]; then
    die "$prefix exists and was not made by install.sh" "pass an empty or new folder to --prefix"
  fi
  mkdir -p "$prefix/bin" "$prefix/lib" "$prefix/share"
  touch "$prefix/$MARKER"
  if [[ -n "$node_path" ]]; then
    install_file "$release_dir/selfsnap.cjs" "$prefix/lib/selfsnap.cjs" 0644
    # The wrapper names the Node.js found now, so the service does not depend on PATH.
    printf '#!/bin/sh\n# Written by install.sh: runs selfsnap with %s.\nexec %q %q "$@"\n' \
      "$node_path" "$node_path" "$prefix/lib/selfsnap.cjs" >"$prefix/bin/selfsnap.new"
    chmod 0755 "$prefix/bin/selfsnap.new"
    mv -f "$prefix/bin/selfsnap.new" "$prefix/bin/selfsnap"
    rm -f "$prefix/lib/$(sea_name)"
  else
    install_file "$release_dir/$(sea_name)" "$prefix/lib/$(sea_name)" 0755
    ln -sfn "$prefix/lib/$(sea_name)" "$prefix/bin/selfsnap"
    rm -f "$prefix/lib/selfsnap.cjs"
  fi
  install_file "$source_dir/config/config.yaml" "$prefix/share/config.example.yaml" 0644
  ln -sfn "$prefix/bin/selfsnap" "$LINK_PATH"
  log "installed $prefix/bin/selfsnap $("$prefix/bin/selfsnap" version) and $LINK_PATH"
}

install_system_files() {
  if ! getent group "$GROUP" >/dev/null; then
    groupadd --system "$GROUP"
    log "created the system group '$GROUP'; its members may use the socket"
  fi
  mkdir -p "$CONFIG_DIR"
  if [[ -e "$CONFIG_DIR/config.yaml" ]]; then
    log "kept $CONFIG_DIR/config.yaml"
  else
    install -m 0644 "$source_dir/config/config.yaml" "$CONFIG_DIR/config.yaml"
    log "wrote $CONFIG_DIR/config.yaml from the example; review its policies"
  fi
  # The unit names /opt/selfsnap; another --prefix is written into the installed copy.
  sed "s|/opt/selfsnap/|$prefix/|g" "$source_dir/systemd/$UNIT_NAME" >"$UNIT_PATH.new"
  chmod 0644 "$UNIT_PATH.new"
  mv -f "$UNIT_PATH.new" "$UNIT_PATH"
  log "installed $UNIT_PATH"
}

start_service() {
  if ! systemd_online; then
    systemctl enable --quiet "$UNIT_NAME" || die "systemctl enable $UNIT_NAME failed" \
      "check that $UNIT_PATH and /etc/systemd/system are writable in this image"
    log "enabled $UNIT_NAME; systemd is not running here, so it starts on the next boot"
    return
  fi
  local why="see: journalctl -u selfsnap -n 50 (exit 78 means an invalid $CONFIG_DIR/config.yaml)"
  systemctl daemon-reload
  systemctl enable --quiet "$UNIT_NAME"
  if [[ "$start" == false ]]; then
    log "enabled $UNIT_NAME without starting it (--no-start): systemctl start selfsnap"
  elif systemctl is-active --quiet "$UNIT_NAME"; then
    systemctl restart "$UNIT_NAME" || die "$UNIT_NAME failed to restart" "$why"
    log "restarted $UNIT_NAME"
  else
    systemctl reset-failed "$UNIT_NAME" 2>/dev/null || true
    systemctl start "$UNIT_NAME" || die "$UNIT_NAME failed to start" "$why"
    log "started $UNIT_NAME"
  fi
}

do_install() {
  prefix="${prefix:-$(installed_prefix)}"
  prefix="${prefix:-/opt/selfsnap}"
  choose_runtime
  check_hooks_support
  install_program
  install_system_files
  if [[ -n "$hooks" ]]; then
    "$prefix/bin/selfsnap" hooks install "$hooks" || die "selfsnap hooks install $hooks failed"
    log "installed the $hooks hook"
  fi
  start_service
  cat <<EOF

selfsnap is installed. Next steps:
  1. review $CONFIG_DIR/config.yaml, then: sudo systemctl restart selfsnap
  2. sudo selfsnap check      checks the config, the metadata service and the RAM role
  3. selfsnap status          as root or as a member of '$GROUP' (sudo usermod -aG $GROUP USER)
  logs: journalctl -u selfsnap
EOF
}

# Removes the apt hook and the dnf plugin; removing one that is not installed is a no-op.
remove_hooks() {
  local manager
  [[ -x "$prefix/bin/selfsnap" ]] && "$prefix/bin/selfsnap" hooks --help >/dev/null 2>&1 || return 0
  for manager in apt dnf; do
    "$prefix/bin/selfsnap" hooks remove "$manager" >/dev/null \
      || die "selfsnap hooks remove $manager failed" "remove that hook by hand, then re-run"
  done
}

remove_service() {
  [[ -f "$UNIT_PATH" ]] || return 0
  if systemd_online; then
    # The stop is graceful: the daemon records the runs in flight, whose snapshots stay.
    systemctl disable --now --quiet "$UNIT_NAME"
  else
    systemctl disable --quiet "$UNIT_NAME"
  fi
  rm -f "$UNIT_PATH"
  if systemd_online; then systemctl daemon-reload; fi
  log "stopped, disabled and removed $UNIT_NAME"
}

do_uninstall() {
  prefix="${prefix:-$(installed_prefix)}"
  prefix="${prefix:-/opt/selfsnap}"
  remove_hooks
  remove_service

  if [[ -L "$LINK_PATH" && "$(readlink "$LINK_PATH")" == "$prefix/"* ]]; then rm -f "$LINK_PATH"; fi
  if [[ -e "$prefix/$MARKER" ]]; then
    rm -rf "$prefix"
    log "removed $prefix and $LINK_PATH"
  elif [[ -e "$prefix" ]]; then
    log "left $prefix alone: install.sh did not create it"
  fi

  if [[ "$purge" == true ]]; then
    rm -rf "$CONFIG_DIR" "$STATE_DIR"
    if getent group "$GROUP" >/dev/null; then groupdel "$GROUP"; fi
    log "purged $CONFIG_DIR, $STATE_DIR and the '$GROUP' group"
  else
    log "kept $CONFIG_DIR and $STATE_DIR; --uninstall --purge removes them"
  fi
  log "snapshots were not touched; delete the ones you no longer need in the ECS console"
}

main() {
  parse_args "$@"
  [[ $EUID -eq 0 ]] || die "install.sh must run as root" "sudo $0 $*"
  if [[ "$action" == uninstall ]]; then do_uninstall; else do_install; fi
}

main "$@"
