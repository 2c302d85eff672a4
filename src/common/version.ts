/** The engine's version, reported by `hello` and written into PNG metadata (kept equal to package.json by a unit test). */
export const ENGINE_VERSION = '0.1.0';
