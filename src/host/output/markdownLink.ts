// Markdown image links for saved results: `![a red fox](generated/a-red-fox-1234.png)`.

const MAX_ALT_LENGTH = 80;

/** `relativePath` uses '/' separators; each segment is percent-encoded so spaces and brackets cannot break the link. */
export function markdownImageLink(alt: string, relativePath: string): string {
  const destination = relativePath
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodePathSegment(segment)))
    .join('/');
  return markdownImage(alt, destination);
}

/** `destination` must already be a valid link target (e.g. a URI from vscode.Uri.toString()). */
export function markdownImage(alt: string, destination: string): string {
  const oneLine = alt.replace(/\s+/g, ' ').trim();
  const shortened = oneLine.length > MAX_ALT_LENGTH ? `${oneLine.slice(0, MAX_ALT_LENGTH - 1)}…` : oneLine;
  const escapedAlt = shortened.replace(/([\\[\]])/g, '\\$1');
  return `![${escapedAlt}](${destination})`;
}

function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[()!*']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
