import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One line of the results table: a measured median against its baseline and target. */
export interface FigureRow {
  id: string;
  figure: string;
  /** The median, formatted with its unit. */
  median: string;
  /** The baseline of the same run, formatted, or `-` when the figure has none. */
  baseline: string;
  /** Baseline over median (or the reverse, as the figure defines it), or `-`. */
  ratio: string;
  target: string;
  /** Whether the target is met; undefined when the figure only reports. */
  met: boolean | undefined;
}

/** The result of one figure's benchmark: table rows and notes on method and findings. */
export interface FigureResult {
  rows: FigureRow[];
  notes: string[];
}

/** The machine a run used, as RESULTS.md records it. */
export interface Machine {
  cpuModel: string;
  nproc: number;
  memory: string;
  node: string;
  date: string;
}

/** Reads the CPU model, core count, memory (`free -h`) and Node.js version. */
export function describeMachine(): Machine {
  let memory = `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`;
  try {
    const free = execFileSync('free', ['-h'], { encoding: 'utf8' });
    const fields = /^Mem:\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)/m.exec(free);
    if (fields !== null) memory = `${fields[1]} total, ${fields[2]} used, ${fields[3]} available`;
  } catch {
    // `free` is missing on some minimal systems; the total from Node is enough then.
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    memory,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function metLabel(met: boolean | undefined): string {
  if (met === undefined) return 'report';
  return met ? 'yes' : 'NO';
}

const COLUMNS = ['id', 'figure', 'median', 'baseline', 'ratio', 'target', 'met?'] as const;

function cellsOf(row: FigureRow): string[] {
  return [row.id, row.figure, row.median, row.baseline, row.ratio, row.target, metLabel(row.met)];
}

/** Formats rows as an aligned plain-text table for the terminal. */
export function formatTable(rows: readonly FigureRow[]): string {
  const lines = [[...COLUMNS], ...rows.map(cellsOf)];
  const widths = COLUMNS.map((_, column) =>
    Math.max(...lines.map((cells) => (cells[column] ?? '').length)),
  );
  return lines
    .map((cells) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
}

/** Heading of the findings, the last section of RESULTS.md. */
export const FINDINGS_HEADING = '## Why targets are missed, what changed, and what is left';

/** Renders RESULTS.md: machine, command, the table, each figure's notes, then the findings. */
export function renderResults(options: {
  machine: Machine;
  command: string;
  results: ReadonlyMap<string, FigureResult>;
  findings: readonly string[];
}): string {
  const { machine, command, results } = options;
  const rows = [...results.values()].flatMap((result) => result.rows);
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const table = [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cellsOf(row).map(escape).join(' | ')} |`),
  ];
  const notes = [...results.entries()].flatMap(([id, result]) => [
    `### ${id}`,
    '',
    ...result.notes.map((note) => `- ${note}`),
    '',
  ]);
  return [
    '# selfsnap benchmarks',
    '',
    `Written by \`${command}\` on ${machine.date}. Every figure is the median of several runs,`,
    'and every ratio compares with a baseline measured in the same run on the same machine.',
    'These machines are shared and noisy, so compare ratios rather than absolute times.',
    '',
    `- CPU: ${machine.cpuModel}, \`nproc\` ${machine.nproc}`,
    `- memory (\`free -h\`): ${machine.memory}`,
    `- Node.js ${machine.node}`,
    '',
    ...table,
    '',
    '## How each figure is measured',
    '',
    ...notes,
    FINDINGS_HEADING,
    '',
    'Found by profiling on the machine of the full runs; the table above has the numbers of this',
    'run.',
    '',
    ...options.findings.map((finding) => `- ${finding}`),
    '',
  ].join('\n');
}

/** The options every figure's benchmark gets from the runner. */
export interface BenchOptions {
  /** The full set: more repetitions, longer windows, all sizes. */
  full: boolean;
  /** A temporary folder the figure may use; the runner removes it. */
  workDir: string;
  /** Progress lines for the terminal. */
  log: (line: string) => void;
}
