/*
 * Run one program (apt-get, apt-cache, dpkg-deb) without a shell: argv
 * through fork and execvpe, stdout captured or dropped, the tail of stderr
 * kept for the error message, cancellation polled ten times a second. The
 * child runs in its own process group, without ktstr's descriptors beyond its
 * stdio or the GitHub Actions cache credentials, and outlives neither the
 * call nor ktstr (a guardian kills the group when ktstr dies, even by SIGKILL).
 */
#ifndef KTSTR_DEBIAN_RUN_H
#define KTSTR_DEBIAN_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define DEBIAN_RUN_ERR_MAX 1024

struct debian_cmd {
	const char *const *argv; /* argv[0] is looked up in PATH */
	const char *cwd;	 /* NULL: ktstr's own */
	bool capture;		 /* keep stdout in out/out_len (NUL-terminated, malloc'd) */
	bool (*cancelled)(void); /* NULL: never */
	void (*tick)(void *ctx); /* NULL, or called about every 100 ms while it runs */
	void *tick_ctx;
	/* results */
	char *out; /* caller frees */
	size_t out_len;
	int status;		      /* exit status (0..255), or 128 + signal */
	char err[DEBIAN_RUN_ERR_MAX]; /* last lines of stderr, trimmed; "" when none */
};

/**
 * @brief Run @p c->argv to its end.
 * @return 0 when it exited 0; -EIO when it exited otherwise (status, err
 *         set); -ECANCELED when cancelled (the child is killed and reaped);
 *         -ENOENT when the program is not found; another -errno when it
 *         cannot be started or its output cannot be kept
 */
int debian_run(struct debian_cmd *c);

#endif
