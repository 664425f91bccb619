/*
 * The host side of the COM2 frames (docs/protocol-frames.md): one line
 *   KTSTR_FRAME <version> <TYPE> <len> <crc32> <base64>
 * carrying a msgpack map. The line is untrusted: every field is checked
 * before the payload is used, and a frame failing any check is never used.
 */
#ifndef KTSTR_CORE_FRAME_H
#define KTSTR_CORE_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define KTSTR_FRAME_TAG "KTSTR_FRAME"
#define KTSTR_FRAME_VERSION 1
/* A frame announcing more raw payload bytes than this is refused before decoding. */
#define KTSTR_FRAME_MAX_LEN (8u << 20)

enum ktstr_frame_type {
	KTSTR_FRAME_TEST = 0, /* the result object */
	KTSTR_FRAME_STIM,     /* one stimulus event */
	KTSTR_FRAME_WRKR,     /* one worker report */
	KTSTR_FRAME_SCHD,     /* a scheduler event */
	KTSTR_FRAME_EXIT,     /* {"code": N} */
};

struct ktstr_frame {
	enum ktstr_frame_type type;
	json_t *payload; /* a JSON object, owned by the frame */
};

/**
 * @brief Whether @p line (no newline) is meant as a frame: it starts with
 *        "KTSTR_FRAME" followed by a space or its end. Such a line is
 *        either a frame or a bad frame, never ordinary text.
 */
bool ktstr_frame__is_frame(const char *line, size_t len);

/**
 * @brief Decode one frame line (@p len bytes, no newline; a trailing '\r'
 *        is ignored).
 * @param why receives one line saying which check failed (may be NULL).
 * @return 0 (@p out filled, release with ktstr_frame__release), -EINVAL when
 *         a check fails (bad version, type, length, CRC, base64 or msgpack),
 *         -ENOMEM.
 */
int ktstr_frame__decode(const char *line, size_t len, struct ktstr_frame *out, char *why,
			size_t whylen);

void ktstr_frame__release(struct ktstr_frame *f);

/** @brief "TEST", "STIM", "WRKR", "SCHD", "EXIT". */
const char *ktstr_frame_type__name(enum ktstr_frame_type t);

#endif
