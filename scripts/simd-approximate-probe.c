/*
 * Measures the host CPU's RCPSS and RSQRTSS and checks the rule of
 * src/simd/float/approximate.ts against it over all 2^32 binary32 inputs.
 * Prints the three 4096-entry tables that approximate-tables.ts encodes
 * (RCP at exponent 0, RSQRT at biased exponents 127 and 128) to tables.txt,
 * then the count of inputs where the rule and the CPU differ (0 on the AMD
 * EPYC the tables came from; an Intel CPU gives other tables).
 *
 *   gcc -O2 -msse2 scripts/simd-approximate-probe.c -o /tmp/probe && /tmp/probe
 *
 * About 15 s on one core.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t hw(uint32_t x, int sqrt) {
  float f;
  memcpy(&f, &x, 4);
  __m128 v = _mm_set_ss(f);
  v = sqrt ? _mm_rsqrt_ss(v) : _mm_rcp_ss(v);
  float r = _mm_cvtss_f32(v);
  uint32_t o;
  memcpy(&o, &r, 4);
  return o;
}

static uint32_t rcp_table[4096], rsqrt_table[2][4096];

/* The rule of approximate.ts: reciprocal(). */
static uint32_t rule_rcp(uint32_t x) {
  uint32_t s = x & 0x80000000u;
  int e = (x >> 23) & 0xff;
  if (e == 0xff) return (x & 0x7fffff) ? (x | 0x400000) : s;
  if (e == 0) return s | 0x7f800000u;
  uint32_t t = rcp_table[(x >> 11) & 0xfff];
  int eo = (int)((t >> 23) & 0xff) + 127 - e;
  return eo <= 0 ? s : s | ((uint32_t)eo << 23) | (t & 0x7fffff);
}

/* The rule of approximate.ts: reciprocalSqrt(). */
static uint32_t rule_rsqrt(uint32_t x) {
  uint32_t s = x & 0x80000000u;
  int e = (x >> 23) & 0xff;
  if (e == 0xff) return (x & 0x7fffff) ? (x | 0x400000) : (s ? 0xffc00000u : 0);
  if (e == 0) return s | 0x7f800000u;
  if (s) return 0xffc00000u;
  int odd = e & 1;
  uint32_t t = rsqrt_table[odd][(x >> 11) & 0xfff];
  int eo = (int)((t >> 23) & 0xff) - ((e - (odd ? 127 : 128)) >> 1);
  return ((uint32_t)eo << 23) | (t & 0x7fffff);
}

int main(void) {
  for (uint32_t k = 0; k < 4096; k++) {
    rcp_table[k] = hw(0x3f800000u | (k << 11), 0);
    rsqrt_table[1][k] = hw(0x3f800000u | (k << 11), 1);
    rsqrt_table[0][k] = hw(0x40000000u | (k << 11), 1);
  }
  FILE *f = fopen("tables.txt", "w");
  for (int k = 0; k < 4096; k++) fprintf(f, "%08x %08x %08x\n", rcp_table[k], rsqrt_table[1][k], rsqrt_table[0][k]);
  fclose(f);
  uint64_t bad_rcp = 0, bad_rsqrt = 0;
  uint32_t x = 0;
  do {
    if (hw(x, 0) != rule_rcp(x) && bad_rcp++ < 5) printf("rcp %08x: cpu %08x rule %08x\n", x, hw(x, 0), rule_rcp(x));
    if (hw(x, 1) != rule_rsqrt(x) && bad_rsqrt++ < 5) printf("rsqrt %08x: cpu %08x rule %08x\n", x, hw(x, 1), rule_rsqrt(x));
  } while (++x != 0);
  printf("inputs where the rule differs from the CPU: rcp %llu, rsqrt %llu\n", (unsigned long long)bad_rcp, (unsigned long long)bad_rsqrt);
  return bad_rcp || bad_rsqrt;
}
