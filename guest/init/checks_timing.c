/* Emulated timing: the guest's slowdown against a native core (checks.h has the rule). */
#include "checks.h"

#include "timeutil.h"

#define CAL_ROUNDS (1u << 15) /* ~80 us native, a few ms under TCG */
#define CAL_TRIES 3	      /* the fastest try: preemption only ever adds time */

/* Rounds of 8 dependent xorshift steps in fixed instructions, so the compiler's flags do not
 * matter. */
static uint64_t cal_run(void)
{
	uint64_t x = 88172645463325252ull, t0 = ktstr_now_ns();

	for (unsigned i = 0; i < CAL_ROUNDS; i++) {
#if defined(__x86_64__)
#define XS                                                                                         \
	"mov %0,%%rax\n shl $13,%%rax\n xor %%rax,%0\n mov %0,%%rax\n shr $7,%%rax\n xor "         \
	"%%rax,%0\n mov %0,%%rax\n shl $17,%%rax\n xor %%rax,%0\n"
		__asm__ volatile(XS XS XS XS XS XS XS XS : "+r"(x) : : "rax");
#undef XS
#else
		for (int k = 0; k < 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			__asm__ volatile("" : "+r"(x));
		}
#endif
	}
	return ktstr_now_ns() - t0;
}

double ktstr_timing__scale_of(double ns_per_round)
{
	double s = ns_per_round / KTSTR_TIMING_NATIVE_NS_PER_ROUND;

	if (!(s > 1.0)) {
		return 1.0; /* also NaN */
	}
	return s < KTSTR_TIMING_MAX_SCALE ? s : KTSTR_TIMING_MAX_SCALE;
}

double ktstr_timing__calibrate(bool emulated)
{
	uint64_t best = UINT64_MAX;

	if (!emulated) {
		return 1.0;
	}
	for (int i = 0; i < CAL_TRIES; i++) {
		uint64_t t = cal_run();

		best = t < best ? t : best;
	}
	return ktstr_timing__scale_of((double)best / CAL_ROUNDS);
}
