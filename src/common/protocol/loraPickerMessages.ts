// The LoRA picker's messages (webview/common/loraPicker.ts), added to a page's message union: the page asks for the
// LoRA files of the `localDiffusion.loraFolders` folders when the picker opens; the host answers with their names
// (what `<lora:name:weight>` calls them) and trigger words from their metadata (src/node/lora/loraMetadata.ts).
import * as v from 'valibot';
import { textSchema } from './schemaParts';

/** Files listed at most (A1111 lists every file; a page of names is what a picker can show). */
export const MAX_LISTED_LORAS = 2000;
/** Trigger words per LoRA (src/node/lora/loraMetadata.ts keeps 20). */
const MAX_TRIGGER_WORDS = 20;

/** Page → host. */
export const listLorasMessageSchema = v.object({ type: v.literal('listLoras') });
export type ListLorasMessage = v.InferOutput<typeof listLorasMessageSchema>;

export const loraEntrySchema = v.object({
  name: v.pipe(v.string(), v.maxLength(1000)),
  triggerWords: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1000))), v.maxLength(MAX_TRIGGER_WORDS)),
  /** kohya ss_base_model_version or modelspec.architecture, when the file says. */
  baseModel: v.optional(v.pipe(v.string(), v.maxLength(1000))),
});
export type LoraEntry = v.InferOutput<typeof loraEntrySchema>;

/** Host → page. `folders`: the folders searched (none: the setting is empty). */
export const loraListMessageSchema = v.object({
  type: v.literal('loraList'),
  folders: v.pipe(v.array(textSchema), v.maxLength(100)),
  loras: v.pipe(v.array(loraEntrySchema), v.maxLength(MAX_LISTED_LORAS)),
});
export type LoraListMessage = v.InferOutput<typeof loraListMessageSchema>;
