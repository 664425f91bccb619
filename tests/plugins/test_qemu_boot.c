/*
 * vm/qemu against a real kernel (label "vm"): a clean boot and power-off with
 * COM2 captured, the deadline killing a hung guest, and cancel via cancel_fd.
 * Calls the plugin's run code directly. Exits 77 (skip) when no kernel is
 * found: $KTSTR_TEST_KERNEL, else the first image in the kernel cache
 * ($KTSTR_CACHE_DIR, $XDG_CACHE_HOME/ktstr/kernels, ~/.cache/ktstr/kernels).
 * $KTSTR_QEMU_CPU overrides the -cpu model and $KTSTR_TEST_FILTER selects
 * tests by name (e.g. "test_boot*" to compare boot times per CPU model).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qemu_probe.h"
#include "qemu_run.h"

static char kernel[4096];
static char workdir[] = "/tmp/ktstr-qemu-boot-XXXXXX";
static char initrd[4200], console_path[4200], com2_path[4200];
static struct ktstr_qemu_cfg cfg = {
    .binary = "qemu-system-x86_64", .machine = "pc", .tcg_thread = "single"};

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first {root}/{key}/vmlinuz or bzImage, by key name for a stable choice. */
static bool find_in_cache(const char *root)
{
	static const char *const names[] = {"vmlinuz", "bzImage"};
	struct dirent **ents;
	bool found = false;
	int n = scandir(root, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; !found && ents[i]->d_name[0] != '.' && k < 2; k++) {
			snprintf(kernel, sizeof(kernel), "%s/%s/%s", root, ents[i]->d_name,
				 names[k]);
			found = is_file(kernel);
		}
		free(ents[i]);
	}
	free(n >= 0 ? ents : NULL);
	return found;
}

static bool find_kernel(void)
{
	const char *env = getenv("KTSTR_TEST_KERNEL");
	char root[4096];

	if (env != NULL && env[0] != '\0') {
		snprintf(kernel, sizeof(kernel), "%s", env);
		return true; /* a wrong path then fails loudly instead of skipping */
	}
	env = getenv("KTSTR_CACHE_DIR");
	if (env != NULL && env[0] != '\0' && find_in_cache(env)) {
		return true;
	}
	env = getenv("XDG_CACHE_HOME");
	if (env != NULL && env[0] != '\0') {
		snprintf(root, sizeof(root), "%s/ktstr/kernels", env);
		if (find_in_cache(root)) {
			return true;
		}
	}
	env = getenv("HOME");
	if (env != NULL && env[0] == '/') {
		snprintf(root, sizeof(root), "%s/.cache/ktstr/kernels", env);
		return find_in_cache(root);
	}
	return false;
}

/* One newc record; data may be NULL for directories and device nodes. */
static void cpio_add(FILE *f, const char *name, unsigned mode, const void *data, size_t len,
		     unsigned rmaj, unsigned rmin)
{
	static unsigned ino = 1;
	static const char zeros[4];
	size_t namesz = strlen(name) + 1;

	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino++, mode, 0,
		0, 1, 0, len, 0, 0, rmaj, rmin, namesz, 0);
	fwrite(name, 1, namesz, f);
	fwrite(zeros, 1, (4 - (110 + namesz) % 4) % 4, f);
	if (len > 0) {
		fwrite(data, 1, len, f);
		fwrite(zeros, 1, (4 - len % 4) % 4, f);
	}
}

static void make_initramfs(void)
{
	FILE *in = fopen(KTSTR_BOOT_INIT, "rb"), *out;
	char *data;
	long len;

	assert_non_null(in);
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	data = malloc(len);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, len, in), (size_t)len);
	fclose(in);
	out = fopen(initrd, "wb");
	assert_non_null(out);
	cpio_add(out, "dev", 040755, NULL, 0, 0, 0);
	cpio_add(out, "dev/console", 020600, NULL, 0, 5, 1);
	cpio_add(out, "dev/ttyS1", 020600, NULL, 0, 4, 65);
	cpio_add(out, "init", 0100755, data, (size_t)len, 0, 0);
	cpio_add(out, "TRAILER!!!", 0, NULL, 0, 0, 0);
	assert_int_equal(fclose(out), 0);
	free(data);
}

static struct ktstr_vm_spec spec(const char *mode, uint64_t timeout_ms, int cancel_fd)
{
	static char cmdline[256];
	struct ktstr_vm_spec s = {
	    .sz = sizeof(s),
	    .kernel_image = kernel,
	    .initramfs = initrd,
	    .cmdline = cmdline,
	    .topo = {1, 1, 2, 1},
	    .memory_mb = 512,
	    .console_path = console_path,
	    .protocol_path = com2_path,
	    .timeout_ms = timeout_ms,
	    .cancel_fd = cancel_fd,
	};

	/*
	 * Under TCG, as the engine does (core/guest_spec.c): no_timer_check (a
	 * busy host can fail the IO-APIC timer check) and tsc=unstable (the late
	 * sched_clock live patch can make a vCPU run a stale int3 and oops).
	 */
	snprintf(cmdline, sizeof(cmdline),
		 "console=ttyS0 no_timer_check reboot=k panic=-1 loglevel=4 rdinit=/init%s "
		 "ktstr_boot=%s",
		 cfg.accel == KTSTR_ACCEL_KVM ? "" : " tsc=unstable", mode);
	return s;
}

static bool com2_has(const char *needle)
{
	char buf[4096] = "";
	FILE *f = fopen(com2_path, "r");
	size_t n;

	if (f == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

/* No child of ours, and no live process anywhere whose command line names our work dir. */
static void assert_nothing_left(void)
{
	struct dirent *de;
	DIR *proc;

	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	proc = opendir("/proc");
	assert_non_null(proc);
	while ((de = readdir(proc)) != NULL) {
		char path[300], cmd[8192] = "";
		size_t n = 0;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		f = fopen(path, "r");
		if (f != NULL) {
			n = fread(cmd, 1, sizeof(cmd) - 1, f);
			fclose(f);
		}
		/* arguments are NUL-separated; a zombie has an empty cmdline */
		for (size_t i = 0; i < n; i++) {
			cmd[i] = cmd[i] == '\0' ? ' ' : cmd[i];
		}
		if (strstr(cmd, workdir) != NULL) {
			fail_msg("process %s still runs: %s", de->d_name, cmd);
		}
	}
	closedir(proc);
}

/* The guest kernel's last words, to explain a failure. */
static void print_console_tail(void)
{
	char buf[4096];
	FILE *f = fopen(console_path, "r");
	size_t n;

	if (f == NULL) {
		return;
	}
	fseek(f, 0, SEEK_END);
	fseek(f, ftell(f) > (long)sizeof(buf) - 1 ? -(long)sizeof(buf) + 1 : 0,
	      ftell(f) > (long)sizeof(buf) - 1 ? SEEK_END : SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	print_message("  console tail:\n%s\n", buf);
}

static int run(const struct ktstr_vm_spec *s, struct ktstr_vm_outcome *out)
{
	struct ktstr_qemu_launch l = {
	    .cfg = &cfg, .log_dir = workdir, .kill_grace_ms = KTSTR_QEMU_KILL_GRACE_MS};
	char err[256] = "";
	int rc;

	unlink(com2_path);
	rc = ktstr_qemu__run(&l, s, out, err, sizeof(err));
	print_message("  %s\n", rc == 0 ? out->detail : err);
	/* a reboot our init did not ask for is a guest panic (panic=-1) */
	if (rc < 0 || out->exit_code != 0 ||
	    (!out->timed_out && !out->cancelled && !com2_has("KTSTR-BOOT-OK"))) {
		print_console_tail();
	}
	return rc;
}

static void test_boot_and_poweroff(void **state)
{
	struct ktstr_vm_spec s = spec("hello", 120000, -1);
	struct ktstr_vm_outcome out = {.sz = sizeof(out)};

	assert_int_equal(run(&s, &out), 0);
	assert_int_equal(out.exit_code, 0);
	assert_false(out.timed_out);
	assert_false(out.cancelled);
	assert_int_equal(out.accel, cfg.accel);
	assert_true(com2_has("KTSTR-BOOT-OK"));
	assert_nothing_left();
	print_message("  boot + power-off with -cpu %s: %llu ms\n", cfg.cpu,
		      (unsigned long long)out.wall_ms);
}

static void test_deadline_kills_hung_guest(void **state)
{
	const uint64_t timeout = 15000;
	struct ktstr_vm_spec s = spec("hang", timeout, -1);
	struct ktstr_vm_outcome out = {.sz = sizeof(out)};

	assert_int_equal(run(&s, &out), 0);
	assert_true(out.timed_out);
	assert_false(out.cancelled);
	assert_true(out.wall_ms >= timeout);
	assert_true(out.wall_ms <= timeout + 3000);
	assert_true(com2_has("KTSTR-BOOT-HANG"));
	assert_nothing_left();
}

/* Fires the cancel pipe once the guest's init says it hangs. */
static void *cancel_when_hung(void *arg)
{
	int fd = *(int *)arg;

	for (int i = 0; i < 1200 && !com2_has("KTSTR-BOOT-HANG"); i++) {
		usleep(50000);
	}
	if (write(fd, "x", 1) != 1) {
		abort();
	}
	return NULL;
}

static void test_cancel_fd_stops_guest(void **state)
{
	struct ktstr_vm_outcome out = {.sz = sizeof(out)};
	struct ktstr_vm_spec s;
	pthread_t th;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	unlink(com2_path);
	s = spec("hang", 120000, p[0]);
	assert_int_equal(pthread_create(&th, NULL, cancel_when_hung, &p[1]), 0);
	assert_int_equal(run(&s, &out), 0);
	pthread_join(th, NULL);
	assert_true(out.cancelled);
	assert_false(out.timed_out);
	assert_true(out.wall_ms < 60000);
	assert_true(com2_has("KTSTR-BOOT-HANG"));
	close(p[0]);
	close(p[1]);
	assert_nothing_left();
}

static int setup(void **state)
{
	struct ktstr_kvm_check chk;
	const char *cpu = getenv("KTSTR_QEMU_CPU");
	char why[256];

	if (mkdtemp(workdir) == NULL) {
		return -1;
	}
	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", workdir);
	snprintf(console_path, sizeof(console_path), "%s/console.log", workdir);
	snprintf(com2_path, sizeof(com2_path), "%s/com2.log", workdir);
	make_initramfs();
	ktstr_qemu_probe__kvm_check("/dev/kvm", &chk);
	cfg.accel = ktstr_qemu_probe__decide("/sys", &chk, why, sizeof(why));
	cfg.cpu = cpu != NULL && cpu[0] != '\0' ? cpu : ktstr_qemu_cmd__default_cpu(cfg.accel);
	print_message("kernel %s\n%s\n", kernel, why);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_boot_and_poweroff),
	    cmocka_unit_test(test_deadline_kills_hung_guest),
	    cmocka_unit_test(test_cancel_fd_stops_guest),
	};

	if (!find_kernel()) {
		fprintf(stderr,
			"SKIP: no kernel to boot. Set KTSTR_TEST_KERNEL=/path/to/bzImage or "
			"put one in the kernel cache (~/.cache/ktstr/kernels/<key>/vmlinuz)\n");
		return 77;
	}
	if (getenv("KTSTR_TEST_FILTER") != NULL) {
		cmocka_set_test_filter(getenv("KTSTR_TEST_FILTER"));
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
