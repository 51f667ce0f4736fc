// Loaded with `node --import` into the daemon under test. The crash aid (SELFSNAP_TEST_CRASH_AT)
// SIGKILLs the daemon when a run reaches a journal step. With SELFSNAP_TEST_SIGNAL=SIGTERM this
// module turns that first self-kill into SIGTERM, so the daemon is asked to stop at exactly that
// step and shuts down as it would under systemd. Later self-kills are dropped, because a second
// SIGTERM would find no handler and end the process abruptly.
import process from 'node:process';

const replacement = process.env.SELFSNAP_TEST_SIGNAL;
if (replacement) {
  const kill = process.kill.bind(process);
  let delivered = false;
  process.kill = (pid, signal) => {
    if (pid !== process.pid || signal !== 'SIGKILL') return kill(pid, signal);
    if (delivered) return true;
    delivered = true;
    return kill(pid, replacement);
  };
}
