/* The library's human-readable text, and how a build leaves it out
 * (QLWM2M_TEXT=OFF defines QLW_NO_TEXT). Private to lib/.
 *
 * Text is the largest part of a small image that the library can do
 * without: the descriptions of qlw_strerror(), the +CME ERROR names, the
 * enum names, the messages behind qlw_errmsg() and the log lines. Without
 * it every code, cause, state and CME number is still reported; only the
 * words that name them are gone. */
#ifndef QLW_TEXT_H
#define QLW_TEXT_H

#ifdef QLW_NO_TEXT
/* A literal the build leaves out: every use becomes the same "". */
#define QLW_TEXT(literal) ""
/* First statement of a *_str() function: without text it names nothing,
 * and the compiler drops the table behind it. */
#define QLW_NAME_NONE(arg)                                                                         \
    do {                                                                                           \
        (void)(arg);                                                                               \
        return "";                                                                                 \
    } while (0)
#else
#define QLW_TEXT(literal)  literal
#define QLW_NAME_NONE(arg) (void)0
#endif

#endif
