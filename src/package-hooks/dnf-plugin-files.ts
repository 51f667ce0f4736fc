import { HOOK_EXIT } from './hook-exit.js';

/** The dnf plugin's configuration file; dnf reads plugin settings from this folder. */
export const DNF_PLUGIN_CONF_PATH = '/etc/dnf/plugins/selfsnap.conf';
/** File name of the plugin module inside dnf's plugin folder. */
export const DNF_PLUGIN_FILE_NAME = 'selfsnap.py';

/**
 * The dnf plugin. It runs `selfsnap hooks run dnf` before a transaction that changes packages
 * (and after it with `after = true`), feeding the changes as tab-separated lines, and stops the
 * transaction only when that command exits with the failed-closed status.
 */
export const DNF_PLUGIN_SOURCE = `# selfsnap dnf plugin: makes a restore point (ECS snapshots of this instance's disks) before a
# transaction that changes packages, and after it when selfsnap.conf sets after = true. Written
# by 'selfsnap hooks install dnf' and removed by 'selfsnap hooks remove dnf'.
import binascii
import logging
import os
import shutil
import subprocess

import dnf
import dnf.exceptions
import dnf.transaction

logger = logging.getLogger('dnf.plugin')

# Exit statuses of 'selfsnap hooks run'.
EXIT_OK = ${HOOK_EXIT.ok}
EXIT_FAILED_OPEN = ${HOOK_EXIT.failedOpen}
EXIT_FAILED_CLOSED = ${HOOK_EXIT.failedClosed}
SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/opt/selfsnap/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def describe_changes(transaction):
    """Returns (action, name, from, to) for each package the transaction changes."""
    replaced = {}
    for item in transaction:
        if item.action in (dnf.transaction.PKG_UPGRADED, dnf.transaction.PKG_DOWNGRADED):
            replaced[item.pkg.name] = item.pkg.evr
    actions = {
        dnf.transaction.PKG_INSTALL: 'install',
        dnf.transaction.PKG_OBSOLETE: 'install',
        dnf.transaction.PKG_UPGRADE: 'upgrade',
        dnf.transaction.PKG_DOWNGRADE: 'downgrade',
        dnf.transaction.PKG_REINSTALL: 'reinstall',
        dnf.transaction.PKG_REMOVE: 'remove',
        dnf.transaction.PKG_OBSOLETED: 'remove',
    }
    changes = []
    for item in transaction:
        action = actions.get(item.action)
        if action is None:
            continue
        pkg = item.pkg
        if action == 'remove':
            changes.append((action, pkg.name, pkg.evr, '-'))
        elif action == 'reinstall':
            changes.append((action, pkg.name, pkg.evr, pkg.evr))
        else:
            changes.append((action, pkg.name, replaced.get(pkg.name, '-'), pkg.evr))
    return changes


class Selfsnap(dnf.Plugin):
    name = 'selfsnap'

    def __init__(self, base, cli):
        super(Selfsnap, self).__init__(base, cli)
        self._after = False
        self._command = 'selfsnap'
        self._transaction = None

    def config(self):
        conf = self.read_config(self.base.conf)
        if conf.has_option('main', 'after'):
            self._after = conf.getboolean('main', 'after')
        if conf.has_option('main', 'command'):
            self._command = conf.get('main', 'command')

    def pre_transaction(self):
        # dnf also calls this for transactions that change only groups or modules.
        changes = describe_changes(self.base.transaction)
        if not changes:
            return
        self._transaction = binascii.hexlify(os.urandom(6)).decode('ascii')
        self._run('pre', changes)

    def transaction(self):
        if self._after and self._transaction is not None:
            self._run('post', describe_changes(self.base.transaction))

    def _run(self, phase, changes):
        path = os.environ.get('PATH', '') + ':' + SEARCH_PATH
        command = shutil.which(self._command, path=path)
        if command is None:
            logger.warning('selfsnap: WARNING: %s not found; no restore point, the transaction '
                           'proceeds', self._command)
            return
        lines = ''.join('\\t'.join(change) + '\\n' for change in changes)
        args = [command, 'hooks', 'run', 'dnf', '--phase', phase,
                '--transaction', self._transaction]
        try:
            status = subprocess.run(args, input=lines.encode('utf-8'), check=False).returncode
        except OSError as error:
            logger.warning('selfsnap: WARNING: cannot run %s (%s); no restore point, the '
                           'transaction proceeds', command, error)
            return
        if status == EXIT_FAILED_CLOSED and phase == 'pre':
            raise dnf.exceptions.Error(
                'selfsnap: no restore point could be made and triggers.hook.failClosed is true, '
                'so the transaction is stopped; set SELFSNAP_HOOK_SKIP=1 to proceed without one')
        if status not in (EXIT_OK, EXIT_FAILED_OPEN, EXIT_FAILED_CLOSED):
            logger.warning('selfsnap: WARNING: selfsnap hooks run ended with status %d; no '
                           'restore point, the transaction proceeds', status)
`;

/** Builds the plugin's configuration file; `after` turns on the after-transaction snapshot. */
export function buildDnfPluginConf(options: { after: boolean }): string {
  return [
    '# selfsnap dnf plugin. Written by `selfsnap hooks install dnf`; local edits are overwritten.',
    '[main]',
    'enabled = 1',
    '# Also snapshot after each transaction, sharing the transaction id of the snapshot before it.',
    `after = ${options.after ? 'true' : 'false'}`,
    '# The selfsnap command, found on PATH and in /usr/local/bin and /opt/selfsnap/bin.',
    'command = selfsnap',
    '',
  ].join('\n');
}
