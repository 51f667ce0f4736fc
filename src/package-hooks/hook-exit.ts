/**
 * Exit statuses of `selfsnap hooks run`, which the apt hook script and the dnf plugin read: a
 * restore point exists (or the transaction changes nothing), no restore point but the transaction
 * proceeds, no restore point and the transaction must stop (`triggers.hook.failClosed`).
 */
export const HOOK_EXIT = { ok: 0, failedOpen: 10, failedClosed: 11 } as const;
