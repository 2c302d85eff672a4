// File names for generated images: a slug of the prompt plus the seed (`a-red-fox-1234.png`), and `-2`, `-3`, …
// when a name is taken. Nothing here touches the disk; saveImageFile.ts does the no-overwrite write.

/** Longest slug, in characters, so that names stay readable and far from path limits. */
export const MAX_SLUG_LENGTH = 48;
const FALLBACK_SLUG = 'image';

/** Lower-case ASCII words of the prompt joined by '-', cut at a word boundary; 'image' when nothing is left. */
export function promptSlug(prompt: string, maxLength: number = MAX_SLUG_LENGTH): string {
  const words = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // combining marks: é → e
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > maxLength) {
      if (!slug) slug = word.slice(0, maxLength);
      break;
    }
    slug = next;
  }
  return slug || FALLBACK_SLUG;
}

/** `<slug>-<seed>[-<suffix>].<extension>`, e.g. imageFileName('A red fox', 1234, 'png') = 'a-red-fox-1234.png'. */
export function imageFileName(prompt: string, seed: number | string, extension: string, suffix?: string): string {
  const tail = suffix ? `-${suffix}` : '';
  return `${promptSlug(prompt)}-${seed}${tail}.${extension.replace(/^\./, '')}`;
}

/** The n-th candidate for a file name: n = 1 is the name itself, then `name-2.ext`, `name-3.ext`, … */
export function numberedFileName(fileName: string, n: number): string {
  if (n <= 1) return fileName;
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? `${fileName.slice(0, dot)}-${n}${fileName.slice(dot)}` : `${fileName}-${n}`;
}
