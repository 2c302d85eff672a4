// The vocabulary of the analytic test model: each concept word is one token, and the text encoder turns it
// into a one-hot row of the embedding (dimension = the concept's index in `concepts`).
// Colours are RGB in the VAE's image range [-1, 1]; shapes and positions are in "min-side units":
// u = (x + 0.5 − w/2)/min(h, w), v = (y + 0.5 − h/2)/min(h, w) (y grows downwards, row 0 = image top).

export type Rgb = readonly [number, number, number];

export interface ColourConcept {
  kind: 'colour';
  word: string;
  rgb: Rgb;
}

export type ShapeKind = 'circle' | 'square' | 'diamond' | 'ring';

export interface ShapeConcept {
  kind: 'shape';
  word: string;
  shape: ShapeKind;
  /** circle/ring: radius; square: half side; diamond: half diagonal (all in min-side units). */
  size: number;
}

export interface PositionConcept {
  kind: 'position';
  word: string;
  /** Shift of the shape's centre (du, dv) in min-side units. */
  offset: readonly [number, number];
}

export type Concept = ColourConcept | ShapeConcept | PositionConcept;

export const colourConcepts: readonly ColourConcept[] = [
  { kind: 'colour', word: 'red', rgb: [0.9, -0.8, -0.8] },
  { kind: 'colour', word: 'green', rgb: [-0.8, 0.7, -0.8] },
  { kind: 'colour', word: 'blue', rgb: [-0.8, -0.7, 0.9] },
  { kind: 'colour', word: 'yellow', rgb: [0.9, 0.8, -0.8] },
  { kind: 'colour', word: 'white', rgb: [0.9, 0.9, 0.9] },
  { kind: 'colour', word: 'black', rgb: [-0.9, -0.9, -0.9] },
  { kind: 'colour', word: 'purple', rgb: [0.2, -0.8, 0.6] },
  { kind: 'colour', word: 'orange', rgb: [0.9, 0.1, -0.9] },
  { kind: 'colour', word: 'cyan', rgb: [-0.8, 0.8, 0.9] },
  { kind: 'colour', word: 'pink', rgb: [0.9, 0.2, 0.5] },
];

export const shapeConcepts: readonly ShapeConcept[] = [
  { kind: 'shape', word: 'circle', shape: 'circle', size: 0.25 },
  { kind: 'shape', word: 'square', shape: 'square', size: 0.2 },
  { kind: 'shape', word: 'diamond', shape: 'diamond', size: 0.3 },
  { kind: 'shape', word: 'ring', shape: 'ring', size: 0.25 },
];

export const positionConcepts: readonly PositionConcept[] = [
  { kind: 'position', word: 'left', offset: [-0.25, 0] },
  { kind: 'position', word: 'right', offset: [0.25, 0] },
  { kind: 'position', word: 'top', offset: [0, -0.25] },
  { kind: 'position', word: 'bottom', offset: [0, 0.25] },
];

/** All concepts in embedding order: colours, then shapes, then positions. */
export const concepts: readonly Concept[] = [...colourConcepts, ...shapeConcepts, ...positionConcepts];

/** Embedding slices [start, end) of each kind. */
export const COLOUR_RANGE = [0, colourConcepts.length] as const;
export const SHAPE_RANGE = [COLOUR_RANGE[1], COLOUR_RANGE[1] + shapeConcepts.length] as const;
export const POSITION_RANGE = [SHAPE_RANGE[1], SHAPE_RANGE[1] + positionConcepts.length] as const;

/** Text-encoder hidden size: one dimension per concept plus one that is always zero. */
export const EMBEDDING_DIM = concepts.length + 1;

/** Background colour outside the shape (dark grey). */
export const BACKGROUND_RGB: Rgb = [-0.6, -0.6, -0.6];
/** Shape colour when the prompt names no colour (light grey); blended in by relu(1 − Σ colour weights). */
export const DEFAULT_RGB: Rgb = [0.4, 0.4, 0.4];
/** Soft edge: mask = sigmoid(EDGE_SHARPNESS · (size − distance)), distance in min-side units. */
export const EDGE_SHARPNESS = 30;
/** Ring: distance = |r − size| compared with this half thickness. */
export const RING_HALF_WIDTH = 0.06;

/** Everyday words that the tokenizer knows as single tokens but that carry no concept (zero embedding). */
export const fillerWords: readonly string[] = ['a', 'an', 'the', 'on', 'in', 'of', 'and', 'with', 'at', 'background'];

/** The prompt the built-in sample model is demonstrated with. */
export const SAMPLE_PROMPT = 'a red circle on the left';
