// How a history entry reads in the Generation History view: the prompt as the label, then seed, model and time
// (relative for today, the date otherwise). Pure: unit-tested.
import type { HistoryEntry } from '../../common/history/historyIndex';

const LABEL_LENGTH = 60;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export function historyLabel(entry: HistoryEntry): string {
  const line = entry.prompt.replace(/\s+/g, ' ').trim() || '(no prompt)';
  return line.length > LABEL_LENGTH ? `${line.slice(0, LABEL_LENGTH - 1)}…` : line;
}

export function historyDescription(entry: HistoryEntry, now: number): string {
  return `seed ${entry.seed} · ${entry.model} · ${historyTime(entry.createdAt, now)}`;
}

/** "just now", "5 min ago", "3 h ago", else the ISO date and time (UTC-free local time, minutes). */
export function historyTime(createdAt: number, now: number): string {
  const age = now - createdAt;
  if (age < MINUTE_MS) return 'just now';
  if (age < HOUR_MS) return `${Math.floor(age / MINUTE_MS)} min ago`;
  if (age < DAY_MS) return `${Math.floor(age / HOUR_MS)} h ago`;
  const d = new Date(createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const SOURCE_NAMES: Readonly<Record<HistoryEntry['source'], string>> = {
  panel: 'Generate panel',
  inpaint: 'inpaint editor',
  here: 'Generate Image Here command',
  asset: 'asset build',
  tool: 'language model tool',
};

/** The hover's text (Markdown source is built by the view; this is its plain lines). */
export function historyTooltipLines(entry: HistoryEntry): string[] {
  return [
    entry.prompt,
    ...(entry.negativePrompt ? [`Negative prompt: ${entry.negativePrompt}`] : []),
    `Seed ${entry.seed} · ${entry.width}×${entry.height} · ${entry.model} · from the ${SOURCE_NAMES[entry.source]}`,
    new Date(entry.createdAt).toLocaleString(),
    ...(entry.savedTo?.length ? [`Saved to ${entry.savedTo.length} file${entry.savedTo.length === 1 ? '' : 's'}`] : []),
  ];
}
