#ifndef KTSTR_CORE_VERSION_H
#define KTSTR_CORE_VERSION_H
/** @brief The engine's version string. */
const char *ktstr_version(void);
#endif
