/*
 * ktstr-sched: loads the ktstr BPF scheduler (embedded, see embed.c),
 * attaches it to sched_ext, switches a fault on when asked, and waits. When
 * the kernel ejects it, it prints the kernel's reason and exits 1 (also on
 * SIGUSR2, which ktstr's workers send when they see a long gap); a load
 * or attach failure (the verifier's message included) exits 2; SIGINT or
 * SIGTERM detach it and exit 0. All output goes to stderr, unbuffered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "embed.h"
#include "opts.h"
#include "vlog.h"

#define POLL_MS 50
#define GAP_GRACE_S 1.0

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t gap_reported; /* SIGUSR2 from a worker that saw a long gap */

static struct ktstr_vlog verifier;

static void on_signal(int sig)
{
	if (sig == SIGUSR2) {
		gap_reported = 1;
	} else {
		stop_signal = sig;
	}
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf;

	/* a verifier log comes whole in one call, however long: no fixed buffer */
	if (level == LIBBPF_DEBUG || vasprintf(&buf, fmt, ap) < 0) {
		return 0;
	}
	fputs(buf, stderr);
	ktstr_vlog__feed(&verifier, buf);
	free(buf);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

static int open_object(const struct ktstr_sched_opts *o, struct bpf_object **out)
{
	bool bad = o->fault == KTSTR_FAULT_FAIL_VERIFY;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "ktstr");
	const void *obj = bad ? ktstr_bpf_bad_obj : ktstr_bpf_obj;
	size_t len = bad ? ktstr_bpf_bad_obj_len() : ktstr_bpf_obj_len();

	*out = bpf_object__open_mem(obj, len, &oo);
	if (*out == NULL) {
		return -errno;
	}
	return 0;
}

/* Byte offset of member @p name in struct sched_ext_ops as the object declares it, or -1. */
static long ops_member_offset(struct bpf_object *obj, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_member *m;
	int id;

	id = btf != NULL ? btf__find_by_name_kind(btf, "sched_ext_ops", BTF_KIND_STRUCT) : -1;
	if (id < 0) {
		return -1;
	}
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name) == 0) {
			return (long)(btf_member_bit_offset(t, i) / 8);
		}
	}
	return -1;
}

/* Knobs into the object before load: the fault, and the watchdog timeout. */
static int configure(struct bpf_object *obj, const struct ktstr_sched_opts *o)
{
	struct bpf_map *ops = bpf_object__find_map_by_name(obj, "ktstr_ops");
	struct bpf_map *data = bpf_object__find_map_by_name(obj, KTSTR_SCHED_SHARED_SEC);
	long timeout_off = ops_member_offset(obj, "timeout_ms");
	struct ktstr_sched_shared *sh;
	size_t sh_sz = 0, ops_sz = 0;
	char *ops_data;

	sh = data != NULL ? bpf_map__initial_value(data, &sh_sz) : NULL;
	ops_data = ops != NULL ? bpf_map__initial_value(ops, &ops_sz) : NULL;
	if (sh == NULL || sh_sz < sizeof(*sh) || ops_data == NULL || timeout_off < 0 ||
	    (size_t)timeout_off + sizeof(__u32) > ops_sz) {
		fprintf(stderr,
			"ktstr-sched: the embedded object lacks %s or ktstr_ops.timeout_ms\n",
			KTSTR_SCHED_SHARED_SEC);
		return -ENOENT;
	}
	sh->ctl.fault = o->fault;
	sh->ctl.active = !ktstr_sched_opts__deferred(o);
	sh->ctl.slow_every = o->slow_every;
	memcpy(ops_data + timeout_off, &o->timeout_ms, sizeof(__u32));
	return 0;
}

/*
 * The kernel's copy of the shared state. libbpf 1.4 points a loaded object's
 * map memory at the kernel map only for skeletons, so map it here.
 */
static struct ktstr_sched_shared *map_shared(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, KTSTR_SCHED_SHARED_SEC);
	void *p;

	if (m == NULL || bpf_map__value_size(m) < sizeof(struct ktstr_sched_shared)) {
		fprintf(stderr, "ktstr-sched: the embedded object lacks %s\n",
			KTSTR_SCHED_SHARED_SEC);
		return NULL;
	}
	p = mmap(NULL, sizeof(struct ktstr_sched_shared), PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "ktstr-sched: cannot map %s: %s\n", KTSTR_SCHED_SHARED_SEC,
			strerror(errno));
		return NULL;
	}
	return p;
}

static bool fault_due(const struct ktstr_sched_opts *o, double attached_at)
{
	if (o->has_after && now_s() - attached_at >= (double)o->after_ms / 1000.0) {
		return true;
	}
	return o->trigger != NULL && access(o->trigger, F_OK) == 0;
}

static void print_exit(volatile struct ktstr_sched_shared *sh)
{
	const char *msg = (const char *)sh->uei.msg;

	fprintf(stderr,
		"ktstr-sched: the kernel disabled the scheduler: %s (%s), exit code %lld, after "
		"%llu enqueues and %llu dispatches\n",
		(const char *)sh->uei.reason, msg[0] != '\0' ? msg : "no message",
		(long long)sh->uei.exit_code, (unsigned long long)sh->enqueues,
		(unsigned long long)sh->dispatches);
}

/* Runs until a signal (0) or until the kernel ejects the scheduler (1). */
static int watch(volatile struct ktstr_sched_shared *sh, const struct ktstr_sched_opts *o)
{
	struct timespec poll = {.tv_nsec = POLL_MS * 1000000L};
	double attached_at = now_s(), gap_at = 0.0;

	while (!stop_signal) {
		if (sh->uei.exited) {
			print_exit(sh);
			return 1;
		}
		/*
		 * ktstr's workers send SIGUSR2 to SCHED_PID when they see a gap beyond
		 * the limit, as upstream's do, to end a stalled scheduler early. The
		 * kernel may be disabling us at that moment (workers run again in its
		 * bypass mode before ops.exit): give its reason a moment to arrive.
		 */
		if (gap_reported && gap_at == 0.0) {
			gap_at = now_s();
		}
		if (gap_reported && now_s() - gap_at >= GAP_GRACE_S) {
			fprintf(stderr,
				"ktstr-sched: SIGUSR2: a worker saw a scheduling gap beyond "
				"its limit; detaching\n");
			return 1;
		}
		if (!sh->ctl.active && fault_due(o, attached_at)) {
			sh->ctl.active = 1;
			fprintf(stderr, "ktstr-sched: fault %s now active (%.1fs after attach)\n",
				ktstr_fault__name(o->fault), now_s() - attached_at);
		}
		nanosleep(&poll, NULL);
	}
	fprintf(stderr, "ktstr-sched: signal %d: detaching after %llu enqueues, %llu dispatches\n",
		(int)stop_signal, (unsigned long long)sh->enqueues,
		(unsigned long long)sh->dispatches);
	return 0;
}

static int load_and_attach(struct bpf_object *obj, const struct ktstr_sched_opts *o,
			   struct bpf_link **link)
{
	struct bpf_map *ops;
	int rc;

	if (o->fault != KTSTR_FAULT_FAIL_VERIFY) {
		rc = configure(obj, o);
		if (rc) {
			return rc;
		}
	}
	rc = bpf_object__load(obj);
	if (rc) {
		if (verifier.last[0] != '\0') {
			fprintf(stderr, "ktstr-sched: the verifier rejected the scheduler: %s\n",
				verifier.last);
		} else {
			fprintf(stderr, "ktstr-sched: cannot load the scheduler: %s\n",
				strerror(-rc));
		}
		return rc;
	}
	ops = bpf_object__find_map_by_name(
	    obj, o->fault == KTSTR_FAULT_FAIL_VERIFY ? "ktstr_bad_ops" : "ktstr_ops");
	*link = ops != NULL ? bpf_map__attach_struct_ops(ops) : NULL;
	if (*link == NULL) {
		rc = ops != NULL ? -errno : -ENOENT;
		fprintf(stderr,
			"ktstr-sched: cannot attach to sched_ext: %s (is another sched_ext "
			"scheduler loaded, or does the kernel lack CONFIG_SCHED_CLASS_EXT?)\n",
			strerror(-rc));
		return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ktstr_sched_opts o;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct ktstr_sched_shared *sh;
	char err[256], watchdog[32];
	int rc;

	setvbuf(stderr, NULL, _IONBF, 0);
	if (ktstr_sched_opts__parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (o.help) {
		fputs(ktstr_sched_opts__usage(), stdout);
		return 0;
	}
	set_signals();
	libbpf_set_print(print_libbpf);
	rc = open_object(&o, &obj);
	if (rc) {
		fprintf(stderr, "ktstr-sched: cannot open the embedded BPF object: %s\n",
			strerror(-rc));
		return 2;
	}
	if (load_and_attach(obj, &o, &link) != 0) {
		bpf_object__close(obj);
		return 2;
	}
	sh = map_shared(obj);
	if (sh == NULL) {
		bpf_link__destroy(link);
		bpf_object__close(obj);
		return 2;
	}
	if (o.timeout_ms != 0) {
		snprintf(watchdog, sizeof(watchdog), "%u ms", o.timeout_ms);
	} else {
		snprintf(watchdog, sizeof(watchdog), "the kernel's default");
	}
	fprintf(stderr, "ktstr-sched: attached (fault %s%s, watchdog timeout %s)\n",
		ktstr_fault__name(o.fault), ktstr_sched_opts__deferred(&o) ? " deferred" : "",
		watchdog);
	rc = watch(sh, &o);
	bpf_link__destroy(link);
	munmap(sh, sizeof(*sh));
	bpf_object__close(obj);
	return rc;
}
