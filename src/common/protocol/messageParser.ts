// Every message that crosses a webview boundary goes through its schema before use: `messageParser(schema)` gives
// the checked message (unknown keys dropped) or a short reason for the log. Pure: runs in the host and the webviews.
import * as v from 'valibot';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

export type MessageParser<T> = (value: unknown) => ParseResult<T>;

/** Issues shown in a log line, at most (a broken message can have thousands). */
const MAX_ISSUES = 3;

export function messageParser<S extends v.GenericSchema>(schema: S): MessageParser<v.InferOutput<S>> {
  return (value) => {
    const result = v.safeParse(schema, value);
    if (result.success) return { ok: true, message: result.output };
    return { ok: false, error: describeIssues(result.issues) };
  };
}

/** "form.steps: Invalid value: Expected <=150 but received 151; …" (the path of each issue, then valibot's message). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return shown.join('; ') + more;
}
