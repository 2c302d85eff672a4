// PyTorch's CPU generator (torch.Generator('cpu') / torch.manual_seed) re-implemented bit for bit:
// MT19937 (aten/src/ATen/core/MT19937RNGEngine.h), the uniform transforms
// (aten/src/ATen/core/TransformationHelper.h) and torch.randn's two CPU paths
// (aten/src/ATen/native/cpu/DistributionTemplates.h normal_kernel):
//  - numel >= 16 (float32): normal_fill_AVX2, i.e. 16-wide Box-Muller with the float approximations of
//    avx_mathfun.h (log256_ps, sincos256_ps) as compiled by GCC with -mfma (two multiply-adds fused);
//  - numel >= 16 (float64): normal_fill<double> with libm log/cos/sin;
//  - numel < 16: at::normal_distribution<double> with the cached sine sample.
// Verified against PyTorch 1.13 draws (test/unit/torchGenerator.test.ts reads them when present).

const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const INIT_MULTIPLIER = 1812433253;

/** Size of the block normal_fill transforms at once (8 cosines followed by 8 sines). */
const NORMAL_BLOCK = 16;
const HALF_BLOCK = NORMAL_BLOCK / 2;

const FLOAT_MANTISSA_MASK = 0xffffff; // 2^24 - 1: float32 has 24 significant bits
const FLOAT_DIVISOR = 1 / 0x1000000; // 2^-24
const DOUBLE_HIGH_MASK = 0x1fffff; // high word bits kept of the 53-bit double mantissa (53 - 32 = 21)
const TWO_POW_32 = 0x100000000;
const DOUBLE_DIVISOR = 2 ** -53;

const fround = Math.fround;

/** Standard 32-bit Mersenne Twister seeded like std::mt19937 (init_with_uint32). */
class Mt19937 {
  private readonly state = new Uint32Array(MT_N);
  private index = MT_N;

  constructor(seed32: number) {
    const s = this.state;
    s[0] = seed32 >>> 0;
    for (let j = 1; j < MT_N; j++) {
      const prev = s[j - 1];
      s[j] = (Math.imul(INIT_MULTIPLIER, prev ^ (prev >>> 30)) + j) >>> 0;
    }
  }

  private twist(): void {
    const s = this.state;
    let k = 0;
    for (; k < MT_N - MT_M; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + MT_M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < MT_N - 1; k++) {
      const y = (s[k] & UPPER_MASK) | (s[k + 1] & LOWER_MASK);
      s[k] = s[k + MT_M - MT_N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (s[MT_N - 1] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[MT_N - 1] = s[MT_M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= MT_N) this.twist();
    return temper(this.state[this.index++]);
  }

  /** out[i] = uniform_real_distribution<float>(0, 1) for i in [from, to): one draw each, in order. */
  fillUniformFloat(out: Float32Array, from: number, to: number): void {
    const s = this.state;
    let i = from;
    while (i < to) {
      if (this.index >= MT_N) this.twist();
      const count = Math.min(MT_N - this.index, to - i);
      let k = this.index;
      const end = i + count;
      for (; i < end; i++) out[i] = (temper(s[k++]) & FLOAT_MANTISSA_MASK) * FLOAT_DIVISOR;
      this.index = k;
    }
  }
}

function temper(x: number): number {
  let y = x;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}

// ---- float32 fused multiply-add ------------------------------------------------------------------
// a·b of two floats is exact in a double, so fround(a·b + c) rounds twice (to double, then to float).
// That can differ from one correct rounding only when the double sum lies exactly on a float
// midpoint. For the multiply-adds below this never changes a result: checked exhaustively for all
// 2^24 float uniforms feeding log256_ps and sincos256_ps against an exactly rounded fma.
function fmaf(a: number, b: number, c: number): number {
  return fround(a * b + c);
}

// ---- avx_mathfun.h constants (float literals) ------------------------------------------------------
const SQRTHF = fround(0.707106781186547524);
const LOG_P0 = fround(7.0376836292e-2);
const LOG_P1 = fround(-1.151461031e-1);
const LOG_P2 = fround(1.167699874e-1);
const LOG_P3 = fround(-1.2420140846e-1);
const LOG_P4 = fround(1.4249322787e-1);
const LOG_P5 = fround(-1.6668057665e-1);
const LOG_P6 = fround(2.0000714765e-1);
const LOG_P7 = fround(-2.4999993993e-1);
const LOG_P8 = fround(3.3333331174e-1);
const LOG_Q1 = fround(-2.1219444e-4);
const LOG_Q2 = fround(0.693359375);
const FLOAT_ONE_INT = 0x1000000; // 2^24: uniforms are multiples of 2^-24
const MANTISSA_BITS_MINUS_ONE = 23;
const INV_POW2 = Float64Array.from({ length: 26 }, (_, i) => 2 ** -i);
const MINUS_DP1 = fround(-0.78515625);
const MINUS_DP2 = fround(-2.4187564849853515625e-4);
const MINUS_DP3 = fround(-3.77489497744594108e-8);
const SINCOF_P0 = fround(-1.9515295891e-4);
const SINCOF_P1 = fround(8.3321608736e-3);
const SINCOF_P2 = fround(-1.6666654611e-1);
const COSCOF_P0 = fround(2.443315711809948e-5);
const COSCOF_P1 = fround(-1.388731625493765e-3);
const COSCOF_P2 = fround(4.166664568298827e-2);
const FOPI = fround(1.27323954473516); // 4/π
/** normal_fill_AVX2: _mm256_set1_ps(2.0f * c10::pi<double>) */
const TWO_PI_F = fround(2 * Math.PI);

/**
 * log256_ps for one lane, of u1 = 1 − u with u a float uniform: u1 = q·2⁻²⁴ with the integer q in
 * [1, 2²⁴], so its exponent and mantissa come from q directly (no bit casts needed).
 */
function logAvxOfOneMinus(u: number): number {
  const q = FLOAT_ONE_INT - u * FLOAT_ONE_INT;
  const k = 31 - Math.clz32(q); // q in [2^k, 2^(k+1))
  let e = k - MANTISSA_BITS_MINUS_ONE; // (unbiased exponent of u1) + 1
  let x = q * INV_POW2[k + 1]; // mantissa scaled to [0.5, 1), exact
  const below = x < SQRTHF;
  const tmp = below ? x : 0;
  x = fround(x - 1);
  if (below) e -= 1;
  x = fround(x + tmp);
  const z = fround(x * x);
  let y = fmaf(LOG_P0, x, LOG_P1);
  y = fmaf(y, x, LOG_P2);
  y = fmaf(y, x, LOG_P3);
  y = fmaf(y, x, LOG_P4);
  y = fmaf(y, x, LOG_P5);
  y = fmaf(y, x, LOG_P6);
  y = fmaf(y, x, LOG_P7);
  y = fmaf(y, x, LOG_P8);
  y = fround(y * x);
  y = fmaf(y, z, fround(e * LOG_Q1)); // GCC fuses y*z + e*q1
  y = fround(y - fround(z * 0.5));
  x = fround(x + y);
  return fmaf(e, LOG_Q2, x);
}

/** Both results of sinCosAvx (avoids allocating per lane). */
const sinCos = { sin: 0, cos: 0 };

/** sincos256_ps for one lane, theta >= 0; results in sinCos. */
function sinCosAvx(theta: number): void {
  let x = theta;
  const j = (Math.trunc(fround(x * FOPI)) + 1) & ~1;
  const swapSinSign = (j & 4) !== 0;
  const sinPolyIsSin = (j & 2) === 0;
  const cosNegative = (~(j - 2) & 4) !== 0;
  x = fmaf(j, MINUS_DP1, x);
  x = fmaf(j, MINUS_DP2, x);
  x = fmaf(j, MINUS_DP3, x);
  const z = fround(x * x);
  let yc = fmaf(COSCOF_P0, z, COSCOF_P1);
  yc = fmaf(yc, z, COSCOF_P2);
  yc = fround(yc * z);
  yc = fmaf(yc, z, -fround(z * 0.5)); // GCC fuses y*z - z*0.5
  yc = fround(yc + 1);
  let ys = fmaf(SINCOF_P0, z, SINCOF_P1);
  ys = fmaf(ys, z, SINCOF_P2);
  ys = fround(ys * z);
  ys = fmaf(ys, x, x);
  const sin = sinPolyIsSin ? ys : yc;
  const cos = sinPolyIsSin ? yc : ys;
  sinCos.sin = swapSinSign ? -sin : sin;
  sinCos.cos = cosNegative ? -cos : cos;
}

/**
 * normal_fill_16_AVX2 over the blocks starting at data[from], data[from+16], … below `to`; data holds
 * float uniforms and receives the normals. Two passes (radii, then angles) keep each hot loop small
 * enough for V8 to inline all its multiply-adds.
 */
function normalFillFloatBlocks(data: Float32Array, from: number, to: number): void {
  const radii = new Float32Array(((to - from) / NORMAL_BLOCK) * HALF_BLOCK);
  let k = 0;
  for (let b = from; b < to; b += NORMAL_BLOCK) {
    for (let lane = 0; lane < HALF_BLOCK; lane++) radii[k++] = Math.sqrt(fround(-2 * logAvxOfOneMinus(data[b + lane])));
  }
  k = 0;
  for (let b = from; b < to; b += NORMAL_BLOCK) {
    for (let lane = 0; lane < HALF_BLOCK; lane++) {
      sinCosAvx(fround(TWO_PI_F * data[b + HALF_BLOCK + lane]));
      const radius = radii[k++];
      data[b + lane] = radius * sinCos.cos;
      data[b + HALF_BLOCK + lane] = radius * sinCos.sin;
    }
  }
}

/** normal_fill_16<double>: the same transform in double precision with libm functions. */
function normalFill16Double(data: Float64Array, offset: number): void {
  for (let j = 0; j < HALF_BLOCK; j++) {
    const u1 = 1 - data[offset + j];
    const u2 = data[offset + HALF_BLOCK + j];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[offset + j] = radius * Math.cos(theta);
    data[offset + HALF_BLOCK + j] = radius * Math.sin(theta);
  }
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`TorchGenerator: invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** The low 32 bits of a seed, as torch.manual_seed uses them (negative seeds wrap like uint64). */
function seedLow32(seed: number | bigint): number {
  if (typeof seed === 'number' && !Number.isInteger(seed)) throw new Error(`TorchGenerator: seed must be an integer, got ${seed}`);
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

/** torch.Generator('cpu').manual_seed(seed): draws identical to PyTorch's CPU torch.randn / torch.rand. */
export class TorchGenerator {
  private readonly engine: Mt19937;
  /** next_double_normal_sample: the cached r·sin θ of the scalar normal path. */
  private nextDoubleNormal: number | undefined;

  constructor(seed: number | bigint) {
    this.engine = new Mt19937(seedLow32(seed));
  }

  /** One raw 32-bit draw (CPUGeneratorImpl::random). */
  nextUint32(): number {
    return this.engine.nextUint32();
  }

  /** torch.randn(*shape) in float32. */
  randn(shape: readonly number[]): Float32Array {
    const n = numelOf(shape);
    const out = new Float32Array(n);
    if (n < NORMAL_BLOCK) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble();
      return out;
    }
    this.fillUniformFloat(out, 0, n);
    normalFillFloatBlocks(out, 0, n - (n % NORMAL_BLOCK));
    if (n % NORMAL_BLOCK !== 0) {
      // Recompute the last 16 values from fresh uniforms (normal_fill_AVX2 tail rule).
      this.fillUniformFloat(out, n - NORMAL_BLOCK, n);
      normalFillFloatBlocks(out, n - NORMAL_BLOCK, n);
    }
    return out;
  }

  /** torch.randn(*shape, dtype=torch.float64). */
  randnFloat64(shape: readonly number[]): Float64Array {
    const n = numelOf(shape);
    const out = new Float64Array(n);
    if (n < NORMAL_BLOCK) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble();
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.uniformDouble();
    for (let b = 0; b + NORMAL_BLOCK <= n; b += NORMAL_BLOCK) normalFill16Double(out, b);
    if (n % NORMAL_BLOCK !== 0) {
      for (let i = n - NORMAL_BLOCK; i < n; i++) out[i] = this.uniformDouble();
      normalFill16Double(out, n - NORMAL_BLOCK);
    }
    return out;
  }

  /** torch.rand(*shape) in float32: one 32-bit draw per element. */
  rand(shape: readonly number[]): Float32Array {
    const n = numelOf(shape);
    const out = new Float32Array(n);
    this.fillUniformFloat(out, 0, n);
    return out;
  }

  private fillUniformFloat(out: Float32Array, from: number, to: number): void {
    this.engine.fillUniformFloat(out, from, to);
  }

  /** uniform_real_distribution<double>: 53 bits of random64() = (first << 32) | second. */
  private uniformDouble(): number {
    const hi = this.engine.nextUint32() & DOUBLE_HIGH_MASK;
    const lo = this.engine.nextUint32();
    return (hi * TWO_POW_32 + lo) * DOUBLE_DIVISOR;
  }

  /** at::normal_distribution<double>(0, 1): Box-Muller, returns r·cos θ and caches r·sin θ. */
  private normalDouble(): number {
    if (this.nextDoubleNormal !== undefined) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}
