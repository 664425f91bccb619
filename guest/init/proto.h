/*
 * The COM2 protocol writer: sentinel lines, the topology line, the result
 * block, the scheduler log block (docs/protocol.md section 3) and msgpack
 * frames (docs/protocol-frames.md).
 */
#ifndef KTSTR_GUEST_PROTO_H
#define KTSTR_GUEST_PROTO_H

#include <stddef.h>

#include <jansson.h>

#define KTSTR_COM2_PATH "/dev/ttyS1"

#define KTSTR_SENT_INIT_STARTED "KTSTR_INIT_STARTED"
#define KTSTR_SENT_PAYLOAD_STARTING "KTSTR_PAYLOAD_STARTING"
#define KTSTR_SENT_INIT_FAILED "KTSTR_INIT_FAILED"
#define KTSTR_SENT_SETUP_FAILED "KTSTR_SETUP_FAILED"
#define KTSTR_SENT_TOPOLOGY "KTSTR_TOPOLOGY"
#define KTSTR_SENT_SCHED_DIED "SCHEDULER_DIED"
#define KTSTR_SENT_SCHED_NOT_ATTACHED "SCHEDULER_NOT_ATTACHED"
#define KTSTR_SENT_EXIT "KTSTR_EXIT="
#define KTSTR_MARK_RESULT_START "===KTSTR_TEST_RESULT_START==="
#define KTSTR_MARK_RESULT_END "===KTSTR_TEST_RESULT_END==="
#define KTSTR_MARK_SCHED_START "===SCHED_OUTPUT_START==="
#define KTSTR_MARK_SCHED_END "===SCHED_OUTPUT_END==="

/* At most this much of the scheduler log (its tail) goes to COM2. */
#define KTSTR_SCHED_LOG_MAX (256 * 1024)

struct ktstr_proto {
	int fd;
};

/**
 * @brief Open a serial port for the protocol in raw mode (cfmakeraw, no
 *        echo). A non-tty path (a test's file) is used as is.
 * @return 0 or -errno.
 */
int ktstr_proto__open(struct ktstr_proto *p, const char *path);

/** @brief Write one line: "<text>\n". @return 0 or -errno. */
int ktstr_proto__line(struct ktstr_proto *p, const char *text);

/**
 * @brief Write "<tag>: <reason>\n" with control characters in @p reason
 *        replaced by spaces, so the line stays one line; the reason is cut
 *        at 1023 bytes. @return 0 or -errno.
 */
int ktstr_proto__reason(struct ktstr_proto *p, const char *tag, const char *reason);

/** @brief "KTSTR_TOPOLOGY <json>\n". */
int ktstr_proto__topology(struct ktstr_proto *p, const char *json);

/**
 * @brief One frame line (docs/protocol-frames.md): @p payload, which must be
 *        a JSON object, packed as a msgpack map.
 * @param type 4 characters 'A'..'Z': TEST, STIM, WRKR, SCHD or EXIT.
 * @return 0, -EINVAL (bad type, payload not an object), -ELOOP (nested too
 *         deep for msgpack), -EFBIG (packed payload over KTSTR_FRAME_MAX_LEN),
 *         -ENOMEM, or the write's -errno.
 */
int ktstr_proto__frame(struct ktstr_proto *p, const char type[4], const json_t *payload);

/**
 * @brief The result: a TEST frame holding @p json (when it parses as an
 *        object), then the marker block: start marker, @p json on one line,
 *        end marker. The frame is best effort; the markers always follow.
 */
int ktstr_proto__result(struct ktstr_proto *p, const char *json);

/**
 * @brief The scheduler log block: start marker, the last KTSTR_SCHED_LOG_MAX
 *        bytes of @p log_path (a missing log is empty), a newline if the log
 *        lacked one, end marker.
 */
int ktstr_proto__sched_log(struct ktstr_proto *p, const char *log_path);

/** @brief An EXIT frame {"code": code} (best effort), then "KTSTR_EXIT=<code>\n". */
int ktstr_proto__exit(struct ktstr_proto *p, int code);

/** @brief Wait until everything written has left the port (tcdrain; no-op for files). */
void ktstr_proto__drain(struct ktstr_proto *p);

void ktstr_proto__close(struct ktstr_proto *p);

#endif
