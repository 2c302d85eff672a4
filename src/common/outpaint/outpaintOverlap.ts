// How far the outpainting mask reaches into the original by default, in pixels: the engine's default for a request
// without `overlap` (src/engine/generateRequest.ts), the CLI's `--outpaint-overlap` and the inpaint editor's
// Expand canvas field all read it.
export const OUTPAINT_DEFAULT_OVERLAP = 32;
