/*
 * Generic msgpack <-> jansson conversion, plus the UTF-8 check it needs.
 *
 * Self-contained on purpose: it depends on msgpack-c and jansson only, so
 * the same msgpack_json.c is compiled into ktstr_core and into sink
 * plugins (which must not link the engine).
 *
 * Mapping: nil<->null, bool<->true/false, int<->integer (a uint64 above
 * INT64_MAX becomes a real), float32/64<->real (NaN and Inf become null,
 * JSON cannot hold them), str<->string (invalid UTF-8 bytes become
 * U+FFFD), array<->array, map with string keys<->object (key order kept;
 * a repeated key keeps its last value). bin, ext and non-string map keys
 * have no JSON form and are rejected.
 */
#ifndef KTSTR_CORE_MSGPACK_JSON_H
#define KTSTR_CORE_MSGPACK_JSON_H

#include <stddef.h>

#include <jansson.h>
#include <msgpack.h>

/*
 * msgpack-c's unpacker gives up past 32 nested containers, so the packer
 * refuses to write what could not be read back.
 */
#define KTSTR_MSGPACK_MAX_DEPTH 32

/**
 * @brief Convert one msgpack object filling all of @p buf into a new jansson value.
 * @return 0 (*out owned by the caller), -EINVAL when @p buf is not exactly one
 *         well-formed object or holds a type JSON cannot express, -ENOMEM.
 */
int ktstr_msgpack__to_json(const void *buf, size_t len, json_t **out);

/** @brief Same for an already unpacked object. */
int ktstr_msgpack__object_to_json(const msgpack_object *o, json_t **out);

/**
 * @brief Append @p v to @p pk.
 * @return 0, -ELOOP when nested deeper than KTSTR_MSGPACK_MAX_DEPTH,
 *         -EINVAL for a NULL value, -ENOMEM when the packer's buffer fails.
 */
int ktstr_json__to_msgpack(const json_t *v, msgpack_packer *pk);

/** @brief Length of the valid UTF-8 sequence at @p s (1..4), 0 when invalid or cut off. */
size_t ktstr_utf8__seq_len(const unsigned char *s, size_t n);

#endif
