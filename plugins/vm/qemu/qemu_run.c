#define _GNU_SOURCE
#include "qemu_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu_argv.h"
#include "qemu_proc.h"

/* How much of the end of QEMU's log is read for the outcome detail. */
#define RUN_LOG_TAIL_BYTES 4096
#define RUN_LOG_TAIL_LINES 3
#define RUN_MAX_TAIL_LINES 8

static bool run__blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
			return false;
		}
	}
	return true;
}

void ktstr_qemu_log__tail(const char *buf, size_t len, unsigned max_lines, char *out, size_t outlen)
{
	size_t start[RUN_MAX_TAIL_LINES], end[RUN_MAX_TAIL_LINES];
	unsigned nlines = 0;
	size_t pos = len, o = 0;

	if (outlen == 0) {
		return;
	}
	max_lines = max_lines > RUN_MAX_TAIL_LINES ? RUN_MAX_TAIL_LINES : max_lines;
	/* walk lines from the end, keep the last non-blank ones (newest first) */
	while (pos > 0 && nlines < max_lines) {
		size_t e = pos, b;

		while (e > 0 && buf[e - 1] == '\n') {
			e--;
		}
		b = e;
		while (b > 0 && buf[b - 1] != '\n') {
			b--;
		}
		pos = b;
		while (e > b && buf[e - 1] == '\r') {
			e--;
		}
		if (!run__blank(buf + b, e - b)) {
			start[nlines] = b;
			end[nlines] = e;
			nlines++;
		}
	}
	for (unsigned i = nlines; i-- > 0;) {
		for (size_t k = start[i]; k < end[i] && o + 1 < outlen; k++) {
			unsigned char ch = (unsigned char)buf[k];

			out[o++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
		if (i > 0) {
			/* a separator only when a character of the next line fits too */
			if (o + 4 >= outlen) {
				break;
			}
			memcpy(out + o, " | ", 3);
			o += 3;
		}
	}
	out[o] = '\0';
}

/* The end of what QEMU wrote after @p start (the command line the log begins with). */
static void run__read_tail(int fd, off_t start, char *out, size_t outlen)
{
	char buf[RUN_LOG_TAIL_BYTES];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size - start > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : start;
	ssize_t n = size > from ? pread(fd, buf, sizeof(buf), from) : 0;

	ktstr_qemu_log__tail(buf, n > 0 ? (size_t)n : 0, RUN_LOG_TAIL_LINES, out, outlen);
}

static void run__detail(const struct ktstr_qemu_launch *l, const struct ktstr_vm_spec *spec,
			const struct ktstr_proc_result *pr, int log_fd, off_t log_start,
			const char *log_path, struct ktstr_vm_outcome *out)
{
	char what[128], tail[sizeof(out->detail)] = "";
	size_t n;

	if (pr->timed_out) {
		snprintf(what, sizeof(what), "stopped at the %llu ms deadline",
			 (unsigned long long)spec->timeout_ms);
	} else if (pr->cancelled) {
		snprintf(what, sizeof(what), "cancelled");
	} else if (pr->term_signal != 0) {
		snprintf(what, sizeof(what), "killed by signal %d (%s)", pr->term_signal,
			 strsignal(pr->term_signal));
	} else {
		snprintf(what, sizeof(what), "exited %d", pr->exit_code);
	}
	/*
	 * QEMU explains a failure only on its stderr. A SIGTERM from someone
	 * else ends it with status 0 and "terminating on signal 15 from pid N".
	 */
	if (!pr->timed_out && !pr->cancelled) {
		run__read_tail(log_fd, log_start, tail, sizeof(tail));
		if (pr->exit_code == 0 && strstr(tail, "terminating on signal") == NULL) {
			tail[0] = '\0';
		}
	}
	n = (size_t)snprintf(out->detail, sizeof(out->detail),
			     "qemu (%s, -cpu %s) %s after %llu ms%s%s",
			     l->cfg->accel == KTSTR_ACCEL_KVM ? "kvm" : "tcg", l->cfg->cpu, what,
			     (unsigned long long)pr->wall_ms, tail[0] ? ": " : "", tail);
	if (l->keep_log && n < sizeof(out->detail)) {
		snprintf(out->detail + n, sizeof(out->detail) - n, " (log %s)", log_path);
	}
}

/*
 * The command goes first in QEMU's log, so a kept log shows how it was
 * started. Returns the offset where QEMU's own output begins.
 */
static off_t run__log_command(int fd, const struct ktstr_argv *argv)
{
	FILE *f = fdopen(fcntl(fd, F_DUPFD_CLOEXEC, 0), "w");
	off_t end;

	if (f == NULL) {
		return 0;
	}
	fputc('+', f);
	for (size_t i = 0; i < argv->n; i++) {
		fprintf(f, " %s", argv->v[i]);
	}
	fputc('\n', f);
	fclose(f);
	end = lseek(fd, 0, SEEK_CUR);
	return end > 0 ? end : 0;
}

/*
 * qemu.argv beside the console log: the exact argv, one per line, so a run
 * can be repeated by hand (mapfile -t a < qemu.argv; "${a[@]}") and the
 * benchmark can boot the same VM. Best effort: a failure only loses the file.
 */
static void run__save_argv(const struct ktstr_vm_spec *spec, const struct ktstr_argv *argv)
{
	const char *slash = spec->console_path ? strrchr(spec->console_path, '/') : NULL;
	char path[4096];
	FILE *f;

	if (slash == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%.*s/qemu.argv", (int)(slash - spec->console_path),
			     spec->console_path) >= sizeof(path)) {
		return;
	}
	f = fopen(path, "we");
	if (f == NULL) {
		return;
	}
	for (size_t i = 0; i < argv->n; i++) {
		fprintf(f, "%s\n", argv->v[i]);
	}
	fclose(f);
}

int ktstr_qemu__run(const struct ktstr_qemu_launch *l, const struct ktstr_vm_spec *spec,
		    struct ktstr_vm_outcome *out, char *err, size_t errlen)
{
	struct ktstr_argv argv = {0};
	struct ktstr_proc_spec ps = {
	    .nr_host_cpus = spec->nr_host_cpus,
	    .host_cpus = spec->host_cpus,
	    .timeout_ms = spec->timeout_ms,
	    .cancel_fd = spec->cancel_fd,
	    .kill_grace_ms = l->kill_grace_ms,
	};
	struct ktstr_proc_result pr;
	char log_path[4096];
	int log_fd, rc;
	off_t log_start;

	rc = ktstr_qemu_cmd__build(l->cfg, spec, &argv, err, errlen);
	if (rc < 0) {
		return rc;
	}
	if ((size_t)snprintf(log_path, sizeof(log_path), "%s/qemu-XXXXXX.log", l->log_dir) >=
	    sizeof(log_path)) {
		rc = -ENAMETOOLONG;
		snprintf(err, errlen, "scratch directory path is too long: %s", l->log_dir);
		goto err_argv;
	}
	log_fd = mkostemps(log_path, 4, O_CLOEXEC);
	if (log_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the qemu log in %s: %s", l->log_dir,
			 strerror(errno));
		goto err_argv;
	}
	log_start = run__log_command(log_fd, &argv);
	run__save_argv(spec, &argv);
	ps.argv = argv.v;
	ps.log_fd = log_fd;
	rc = ktstr_proc__run(&ps, &pr, err, errlen);
	if (rc < 0) {
		goto err_log;
	}
	out->accel = l->cfg->accel;
	/* vm.h: -1 when killed; QEMU itself exits 0 on the SIGTERM we send it */
	out->exit_code = pr.timed_out || pr.cancelled || pr.term_signal != 0 ? -1 : pr.exit_code;
	out->timed_out = pr.timed_out;
	out->cancelled = pr.cancelled;
	out->wall_ms = pr.wall_ms;
	run__detail(l, spec, &pr, log_fd, log_start, log_path, out);
err_log:
	close(log_fd);
	if (!l->keep_log) {
		unlink(log_path);
	}
err_argv:
	ktstr_argv__free(&argv);
	return rc;
}
