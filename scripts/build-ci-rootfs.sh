#!/usr/bin/env bash
# Builds the Debian bookworm tree that the system tests boot with systemd-nspawn: minbase
# plus systemd, dbus, iproute2, curl and passwd. The tree is cached: a machine builds it once,
# and every later run boots it through --volatile=overlay, which leaves the tree unchanged.
#
# Usage: scripts/build-ci-rootfs.sh [DIR]   (default /var/cache/selfsnap-ci/rootfs; needs root)
set -euo pipefail

readonly SUITE=bookworm
readonly PACKAGES=(systemd systemd-sysv dbus iproute2 curl passwd)
# The file that marks a finished tree; a tree without it is a leftover of an interrupted build.
readonly STAMP=.selfsnap-rootfs-complete

rootfs="${1:-/var/cache/selfsnap-ci/rootfs}"

# Prints the Debian mirror that apt on this machine already uses, so the build reaches only a
# registry this machine is set up for. Reads deb822 .sources files and one-line sources.list.
find_mirror() {
  local file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$file" ]] || continue
    # A stanza whose Suites line names bookworm and whose URI is a plain Debian archive.
    uri="$(awk -v suite="$SUITE" '
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = 1 }
      /^$/ { if (found && uri != "") exit; uri = ""; found = 0 }
      END { if (found && uri != "") print uri }' "$file")"
    if [[ -n "$uri" && "$uri" != *security* ]]; then
      echo "$uri"
      return
    fi
  done
  if [[ -r /etc/apt/sources.list ]]; then
    uri="$(awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }' \
      /etc/apt/sources.list)"
    if [[ -n "$uri" ]]; then
      echo "$uri"
      return
    fi
  fi
  echo "http://deb.debian.org/debian"
}

# Removes an unfinished tree. debootstrap mounts proc and sys inside it and leaves them mounted
# when it is interrupted, so those are unmounted first and rm stays on this filesystem.
remove_tree() {
  local tree="$1" mount
  awk -v tree="$tree/" 'index($2, tree) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r mount; do umount -l "$mount"; done
  rm -rf --one-file-system "$tree" "$tree.log"
}

main() {
  if [[ -f "$rootfs/$STAMP" ]]; then
    echo "rootfs: $rootfs is already built"
    return
  fi
  if [[ $EUID -ne 0 ]]; then
    echo "rootfs: building $rootfs needs root (debootstrap and chroot)" >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    echo "rootfs: debootstrap is missing: apt-get install debootstrap systemd-container" >&2
    exit 1
  fi

  local mirror work
  mirror="$(find_mirror)"
  mkdir -p "$(dirname "$rootfs")"
  # Build beside the final path and rename at the end, so an interrupted build never leaves a
  # half-made tree where the tests look.
  work="$(mktemp -d "$rootfs.partial.XXXXXX")"
  trap 'remove_tree "$work"' EXIT

  echo "rootfs: debootstrap $SUITE from $mirror into $rootfs"
  debootstrap --variant=minbase "$SUITE" "$work" "$mirror" >"$work.log" 2>&1 \
    || { tail -n 30 "$work.log" >&2; exit 1; }
  rm -f "$work.log"

  echo "rootfs: installing ${PACKAGES[*]}"
  chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${PACKAGES[@]}" >"$work.log" 2>&1 \
    || { tail -n 30 "$work.log" >&2; exit 1; }
  chroot "$work" apt-get clean
  rm -f "$work.log"

  touch "$work/$STAMP"
  remove_tree "$rootfs"
  mv "$work" "$rootfs"
  trap - EXIT
  echo "rootfs: ready at $rootfs"
}

main "$@"
