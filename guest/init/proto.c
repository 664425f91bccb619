#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <msgpack.h>

#include "fileio.h"
#include "frame.h"
#include "msgpack_json.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int ktstr_proto__open(struct ktstr_proto *p, const char *path)
{
	struct termios tio;

	p->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->fd < 0) {
		p->fd = -1;
		return -errno;
	}
	/* cfmakeraw() also clears ECHO: nothing the host sends comes back. */
	if (tcgetattr(p->fd, &tio) == 0) {
		cfmakeraw(&tio);
		if (tcsetattr(p->fd, TCSANOW, &tio) != 0) {
			int err = -errno;

			ktstr_proto__close(p);
			return err;
		}
	}
	return 0;
}

/* Several pieces, one line: joined first so a line is one write() where it fits. */
static int emit(struct ktstr_proto *p, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char stackbuf[512], *buf = stackbuf;
	int err;

	if (la + lb + lc + 1 > sizeof(stackbuf)) {
		buf = malloc(la + lb + lc + 1);
		if (buf == NULL) {
			return -ENOMEM;
		}
	}
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	memcpy(buf + la + lb, c, lc);
	buf[la + lb + lc] = '\n';
	err = write_all(p->fd, buf, la + lb + lc + 1);
	if (buf != stackbuf) {
		free(buf);
	}
	return err;
}

int ktstr_proto__line(struct ktstr_proto *p, const char *text)
{
	return emit(p, text, "", "");
}

int ktstr_proto__reason(struct ktstr_proto *p, const char *tag, const char *reason)
{
	char clean[1024], head[64];
	size_t i;

	for (i = 0; reason[i] != '\0' && i < sizeof(clean) - 1; i++) {
		unsigned char ch = (unsigned char)reason[i];

		clean[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	clean[i] = '\0';
	snprintf(head, sizeof(head), "%s: ", tag);
	return emit(p, head, clean, "");
}

int ktstr_proto__topology(struct ktstr_proto *p, const char *json)
{
	return emit(p, KTSTR_SENT_TOPOLOGY, " ", json);
}

int ktstr_proto__frame(struct ktstr_proto *p, const char type[4], const json_t *payload)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	size_t len;
	char *line;
	int err;

	if (!json_is_object(payload)) {
		return -EINVAL;
	}
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	err = ktstr_json__to_msgpack(payload, &pk);
	if (err != 0) {
		goto out_sbuf;
	}
	if (sbuf.size > KTSTR_FRAME_MAX_LEN) {
		err = -EFBIG; /* the host would refuse it unread */
		goto out_sbuf;
	}
	err = ktstr_frame__encode(type, sbuf.data, sbuf.size, &line, &len);
	if (err != 0) {
		goto out_sbuf;
	}
	err = write_all(p->fd, line, len);
	free(line);
out_sbuf:
	msgpack_sbuffer_destroy(&sbuf);
	return err;
}

int ktstr_proto__result(struct ktstr_proto *p, const char *json)
{
	json_t *v = json_loads(json, 0, NULL);
	int err;

	/* The frame is the checked copy; the marker block stays for older hosts. */
	if (json_is_object(v)) {
		ktstr_proto__frame(p, "TEST", v);
	}
	json_decref(v);
	err = ktstr_proto__line(p, KTSTR_MARK_RESULT_START);
	if (!err) {
		err = ktstr_proto__line(p, json);
	}
	if (!err) {
		err = ktstr_proto__line(p, KTSTR_MARK_RESULT_END);
	}
	return err;
}

int ktstr_proto__sched_log(struct ktstr_proto *p, const char *log_path)
{
	char *log = NULL;
	size_t len = 0;
	int err;

	if (ktstr_file__read_tail(log_path, KTSTR_SCHED_LOG_MAX, &log, &len) != 0) {
		len = 0;
	}
	err = ktstr_proto__line(p, KTSTR_MARK_SCHED_START);
	if (!err && len > 0) {
		err = write_all(p->fd, log, len);
	}
	if (!err && len > 0 && log[len - 1] != '\n') {
		err = write_all(p->fd, "\n", 1);
	}
	if (!err) {
		err = ktstr_proto__line(p, KTSTR_MARK_SCHED_END);
	}
	free(log);
	return err;
}

int ktstr_proto__exit(struct ktstr_proto *p, int code)
{
	json_t *v = json_pack("{s:i}", "code", code);
	char num[16];

	if (v != NULL) {
		ktstr_proto__frame(p, "EXIT", v);
		json_decref(v);
	}
	snprintf(num, sizeof(num), "%d", code);
	return emit(p, KTSTR_SENT_EXIT, num, "");
}

void ktstr_proto__drain(struct ktstr_proto *p)
{
	if (p->fd >= 0 && isatty(p->fd)) {
		tcdrain(p->fd);
	}
}

void ktstr_proto__close(struct ktstr_proto *p)
{
	if (p->fd >= 0) {
		close(p->fd);
	}
	p->fd = -1;
}
