import { HOOK_EXIT } from './hook-exit.js';

/** Install path of the apt hook script. */
export const APT_HOOK_SCRIPT_PATH = '/usr/lib/selfsnap/apt-hook';
/** The apt configuration file that registers the hook. */
export const APT_CONF_PATH = '/etc/apt/apt.conf.d/80selfsnap';

/**
 * The apt hook script. apt aborts the dpkg run when a hook exits non-zero, so the script exits
 * non-zero only when `selfsnap hooks run` reports that failClosed blocks the upgrade. A missing or
 * crashing selfsnap command fails open with a warning.
 */
export const APT_HOOK_SCRIPT = `#!/bin/sh
# selfsnap apt hook: makes a restore point (ECS snapshots of this instance's disks) before dpkg
# changes packages, and after it when installed with --after. Written by 'selfsnap hooks install
# apt' and removed by 'selfsnap hooks remove apt'; local edits are overwritten.
#
# Usage: apt-hook pre    (DPkg::Pre-Install-Pkgs: apt writes the package list to stdin)
#        apt-hook post   (DPkg::Post-Invoke: nothing on stdin)
#
# apt aborts the dpkg run when this script exits non-zero. It does so only when 'selfsnap hooks
# run' exits ${HOOK_EXIT.failedClosed} (no restore point and triggers.hook.failClosed is true). Any
# other failure, including a missing or broken selfsnap command, lets the upgrade proceed.
set -u

phase="\${1:-pre}"
failed_closed=${HOOK_EXIT.failedClosed}
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/opt/selfsnap/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH

warn() {
  echo "selfsnap: WARNING: $*" >&2
  logger -t selfsnap-hook -p user.warning -- "$*" 2>/dev/null || true
}

# Keep apt's package list in a file first: apt must be able to write all of it even when the
# selfsnap command is missing or exits early.
input=/dev/null
if [ "$phase" = pre ]; then
  input="$(mktemp "\${TMPDIR:-/tmp}/selfsnap-apt.XXXXXX")" || input=/dev/null
  if [ "$input" = /dev/null ]; then
    cat >/dev/null
  else
    trap 'rm -f "$input"' EXIT
    cat >"$input"
  fi
fi

if ! command -v selfsnap >/dev/null 2>&1; then
  warn "the selfsnap command is not installed; no restore point for this dpkg run, which proceeds"
  exit 0
fi

selfsnap hooks run apt --phase "$phase" <"$input"
status=$?
case "$status" in
  0 | ${HOOK_EXIT.failedOpen}) exit 0 ;;
  "$failed_closed") exit "$failed_closed" ;;
  *)
    warn "'selfsnap hooks run' failed with status $status; no restore point, the dpkg run proceeds"
    exit 0
    ;;
esac
`;

/** Builds the apt configuration file; `after` adds the after-transaction snapshot. */
export function buildAptConf(options: { after: boolean }): string {
  const lines = [
    '// selfsnap: restore points around dpkg runs. Written by `selfsnap hooks install apt` and',
    '// removed by `selfsnap hooks remove apt`; local edits are overwritten.',
    '//',
    '// apt runs Pre-Install-Pkgs hooks once per dpkg run that changes packages, right before dpkg,',
    '// and never for downloads, simulations or runs with nothing to do. Protocol Version 3 sends',
    '// the hook the packages being changed, which go into the snapshot description.',
    `DPkg::Pre-Install-Pkgs {"${APT_HOOK_SCRIPT_PATH} pre";};`,
    `DPkg::Tools::Options::${APT_HOOK_SCRIPT_PATH}::Version "3";`,
  ];
  if (options.after) {
    lines.push(
      '// The after-transaction snapshot; it runs only after a dpkg run that the pre hook saw.',
      `DPkg::Post-Invoke {"${APT_HOOK_SCRIPT_PATH} post";};`,
    );
  }
  return `${lines.join('\n')}\n`;
}
