// The LoRA picker's answer (src/common/protocol/loraPickerMessages.ts): the files of the `localDiffusion.loraFolders`
// folders with their trigger words, read from their headers (src/node/lora/scanLoraFolders.ts).
import { MAX_LISTED_LORAS, type LoraListMessage } from '../../common/protocol/loraPickerMessages';
import { scanLoraFolders } from '../../node/lora/scanLoraFolders';

export function loraListReply(folders: readonly string[]): LoraListMessage {
  const loras = scanLoraFolders(folders, MAX_LISTED_LORAS).map(({ name, triggerWords, baseModel }) => ({
    name,
    triggerWords,
    ...(baseModel ? { baseModel } : {}),
  }));
  return { type: 'loraList', folders: [...folders], loras };
}
