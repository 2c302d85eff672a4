// The one rule for a prompt the Generate panel and the inpaint editor accept: it must say something.
// (A prompt of only whitespace or only extra-network tags such as "<lora:x:1>" is still a prompt for A1111;
// only an empty one is refused, with the same words in both places.)

export const EMPTY_PROMPT_MESSAGE = 'Enter a prompt.';

/** What is wrong with the prompt, or undefined when it can be generated from. */
export function promptProblem(prompt: string): string | undefined {
  return prompt.trim() === '' ? EMPTY_PROMPT_MESSAGE : undefined;
}
