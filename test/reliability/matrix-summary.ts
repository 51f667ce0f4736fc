import { afterAll } from 'vitest';

interface TaskLike {
  type: string;
  name: string;
  mode?: string;
  result?: { state?: string };
  tasks?: TaskLike[];
}

function collectTests(task: TaskLike, prefix: string[]): { name: string; state: string }[] {
  if (task.type === 'test') {
    const state = task.mode === 'skip' || task.mode === 'todo' ? 'skipped' : task.result?.state;
    return [{ name: [...prefix, task.name].join(' > '), state: state ?? 'not run' }];
  }
  return (task.tasks ?? []).flatMap((child) => collectTests(child, [...prefix, task.name]));
}

/**
 * Prints, once the enclosing describe block has finished, how many matrix cases ran and how
 * each ended, so the CI log shows the reliability coverage at a glance. Call it inside the
 * `describe` whose cases it sums up.
 */
export function printMatrixSummary(title: string): void {
  // Vitest passes the suite second and requires a destructuring pattern for the first argument.
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    const tests = (suite as unknown as TaskLike).tasks?.flatMap((task) => collectTests(task, []));
    const counts = new Map<string, number>();
    for (const test of tests ?? []) counts.set(test.state, (counts.get(test.state) ?? 0) + 1);
    const totals = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
    const lines = (tests ?? []).map((test) => `  ${test.state.padEnd(7)} ${test.name}`);
    console.log(`reliability matrix: ${title}: ${tests?.length ?? 0} cases (${totals})`);
    console.log(lines.join('\n'));
  });
}
