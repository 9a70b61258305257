/**
 * @file lwobj.h
 * @brief Host objects: LwM2M objects the application implements on a BC66
 *        (dialect B), whose client relays the server's requests to the host.
 *
 * @section lwobj_model The model
 * The application describes each object instance it implements in a table it
 * owns (qlw_lw_instance and qlw_lw_resource: ids, types, allowed
 * operations) and gives callbacks that read, write and execute resources
 * (@ref qlw_lw_host). The session adds every instance to the module
 * (`AT+QLWADDOBJ`) before it registers, answers each `"read"`, `"write"`,
 * `"execute"` and `"observe"` request with the matching `AT+QLW…RSP` (a read
 * or observe of a whole instance as several parts with a decreasing index),
 * answers 4.04 Not Found for what the table does not declare and 4.05 Method
 * Not Allowed for an operation the resource does not allow, and answers a
 * request the server retransmitted (same CoAP message id) again without
 * calling the application twice. Nothing is allocated: the tables and the
 * values the callbacks return stay the application's.
 *
 * Object 19 (/19/0/0 uplinks, /19/1/0 downlinks) belongs to the session's
 * transparent data path and cannot be declared here.
 *
 * @section lwobj_limits Limits
 * The BC66 takes at most 15 custom objects, 4 instances per object and 14
 * resources per instance (Quectel SDK headers); qlw_lw_set_host() refuses a
 * table beyond them. Only dialect B relays requests: on the other modules the
 * table is refused with QLW_ERR_UNSUPPORTED once the dialect is known.
 */
#ifndef QLWM2M_LWOBJ_H
#define QLWM2M_LWOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qlwm2m/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A session handle (see session.h). */
typedef struct qlw_session qlw_session;

/** @brief Resource types, numbered as dialect B's `<type>` field. */
typedef enum qlw_lw_type {
    QLW_LW_STRING = 1,  /**< UTF-8 text (no `"`, CR, LF, `;` or backslash on this module). */
    QLW_LW_OPAQUE = 2,  /**< Bytes (hex on the line). */
    QLW_LW_INTEGER = 3, /**< Signed 64-bit integer. */
    QLW_LW_FLOAT = 4,   /**< Double, printed with as many digits as it takes to read back
                             the same value (15, else 17 significant; in the C locale's
                             format). */
    QLW_LW_BOOLEAN = 5  /**< 0 or 1. */
} qlw_lw_type;

/** @brief Stable name of a type ("string", "opaque", ...).
 *  @return A static string; "unknown" for a value outside the enum. */
QLW_API const char *qlw_lw_type_str(qlw_lw_type type);

/** @brief Operations a resource allows (bit set). */
typedef enum qlw_lw_ops {
    QLW_LW_R = 1u << 0, /**< Read (and observe). */
    QLW_LW_W = 1u << 1, /**< Write. */
    QLW_LW_E = 1u << 2  /**< Execute. */
} qlw_lw_ops;

/** @brief A value, read or written. Only the field its type names is used. */
typedef struct qlw_lw_value {
    qlw_lw_type type;     /**< Which field holds the value. */
    const char *str;      /**< QLW_LW_STRING: NUL-terminated text. */
    const uint8_t *bytes; /**< QLW_LW_OPAQUE: the bytes. */
    size_t len;           /**< QLW_LW_OPAQUE: number of bytes. */
    int64_t i;            /**< QLW_LW_INTEGER. */
    double f;             /**< QLW_LW_FLOAT. */
    bool b;               /**< QLW_LW_BOOLEAN. */
} qlw_lw_value;

/** @brief One resource of an instance. */
typedef struct qlw_lw_resource {
    uint16_t id;      /**< Resource id (e.g. 5700, Sensor Value). */
    qlw_lw_type type; /**< Its type. */
    unsigned ops;     /**< @ref qlw_lw_ops allowed. */
} qlw_lw_resource;

/** @brief One object instance the application implements. */
typedef struct qlw_lw_instance {
    uint16_t object;                  /**< Object id (e.g. 3303, Temperature); not 19. */
    uint16_t instance;                /**< Instance id (0..65534). */
    const qlw_lw_resource *resources; /**< Its resources (1 to 14). */
    size_t resource_count;            /**< Number of @ref resources. */
} qlw_lw_instance;

/** @brief What a callback answers (the module's CoAP code follows from it). */
typedef enum qlw_lw_status {
    QLW_LW_OK = 0,          /**< Done: 2.05 Content for a read, 2.04 Changed otherwise. */
    QLW_LW_BAD_REQUEST = 1, /**< 4.00: the value or the arguments are not acceptable. */
    QLW_LW_NOT_FOUND = 2,   /**< 4.04: no such resource after all. */
    QLW_LW_NOT_ALLOWED = 3  /**< 4.05: not now. */
} qlw_lw_status;

/** @brief Stable name of a status ("ok", "bad_request", ...).
 *  @return A static string; "unknown" for a value outside the enum. */
QLW_API const char *qlw_lw_status_str(qlw_lw_status status);

/** @brief Kinds of server requests. */
typedef enum qlw_lw_request_kind {
    QLW_LW_REQ_READ = 0,    /**< Read. */
    QLW_LW_REQ_WRITE = 1,   /**< Write. */
    QLW_LW_REQ_EXECUTE = 2, /**< Execute. */
    QLW_LW_REQ_OBSERVE = 3, /**< Observe started. */
    QLW_LW_REQ_CANCEL = 4   /**< Observe cancelled. */
} qlw_lw_request_kind;

/** @brief Stable name of a request kind ("read", "write", ...).
 *  @return A static string; "unknown" for a value outside the enum. */
QLW_API const char *qlw_lw_request_kind_str(qlw_lw_request_kind kind);

/** @brief A server request as the session saw it (for logs). */
typedef struct qlw_lw_request {
    qlw_lw_request_kind kind; /**< What the server asked. */
    uint16_t msgid;           /**< CoAP message id. */
    int object;               /**< Object id. */
    int instance;             /**< Instance id. */
    int resource;             /**< Resource id, or -1 for a whole instance. */
    bool repeated;            /**< A retransmission: answered again, the application not called. */
    int code;                 /**< The module's result code the session answers (1 = 2.05,
                                   2 = 2.04, 11 = 4.00, 13 = 4.04, 14 = 4.05). */
} qlw_lw_request;

/**
 * @brief Reads resource /obj/ins/res into @p out. The value's memory (a
 *        string or bytes) must stay valid until the next callback.
 * @return a @ref qlw_lw_status.
 */
typedef int (*qlw_lw_read_fn)(void *ctx, uint16_t obj, uint16_t ins, uint16_t res,
                              qlw_lw_value *out);
/** @brief Writes @p in (valid during the call only) to /obj/ins/res. @return a @ref qlw_lw_status.
 */
typedef int (*qlw_lw_write_fn)(void *ctx, uint16_t obj, uint16_t ins, uint16_t res,
                               const qlw_lw_value *in);
/** @brief Executes /obj/ins/res with @p args ("" when none). @return a @ref qlw_lw_status. */
typedef int (*qlw_lw_execute_fn)(void *ctx, uint16_t obj, uint16_t ins, uint16_t res,
                                 const char *args);
/** @brief Sees every server request and the answer given (may be NULL). */
typedef void (*qlw_lw_request_fn)(void *ctx, const qlw_lw_request *req);

/** @brief The application's objects and callbacks. Owned by the application. */
typedef struct qlw_lw_host {
    const qlw_lw_instance *instances; /**< The instances, or NULL. */
    size_t instance_count;            /**< Number of instances. */
    qlw_lw_read_fn read;              /**< Reads (required when a resource allows R). */
    qlw_lw_write_fn write;            /**< Writes (required when a resource allows W). */
    qlw_lw_execute_fn execute;        /**< Executes (required when a resource allows E). */
    qlw_lw_request_fn on_request;     /**< Every request, for logs (may be NULL). */
    void *ctx;                        /**< Passed to every callback. */
} qlw_lw_host;

/**
 * @brief Gives the session the application's objects. Call it before asking
 *        to register; @p host and its tables must outlive the session (or
 *        the next call). NULL removes them (the next registration adds none).
 *
 * Sends nothing now: each instance goes to the module as
 * `AT+QLWADDOBJ=<obj>,<ins>,<count>,<resource ids>` at the next registration
 * on a dialect B module. On a module that turns out not to speak dialect B
 * (found when the session first probes it) the objects are not used.
 * @return QLW_OK; QLW_ERR_ARG (a NULL session; instances NULL with a
 *         count; object 19; instance 65535; a duplicate instance; an
 *         instance without resources; a resource type outside
 *         @ref qlw_lw_type; a resource allowing an operation without its
 *         callback; more than 15 objects, 4 instances per object or 14
 *         resources per instance); QLW_ERR_STATE (registered or
 *         registering now: the object list goes out in the Register
 *         message); QLW_ERR_UNSUPPORTED (the module is known not to speak
 *         dialect B, or the library was built without the BC26/BC66
 *         dialects: QLWM2M_DIALECT_MTK=OFF). A refused call changes nothing.
 */
QLW_API int qlw_lw_set_host(qlw_session *s, const qlw_lw_host *host);

/**
 * @brief Sends the current value of an observed resource, non-confirmable.
 *
 * Marks the resource; the session reads it with the read callback when its
 * turn comes (after the uplink in flight) and sends
 * `AT+QLWNOTIFY=<obj>,<ins>,<res>,<type>,<len>,<value>,0,0`. Several calls for
 * the same resource before then send one value, the latest. A read callback
 * that fails, or a module that refuses the notify, becomes a warning notice
 * (QLW_NOTICE_WARNING), not a report: a notify is not an uplink.
 * @return QLW_OK; QLW_ERR_ARG (a NULL session, object 19, or a resource not
 *         declared readable); QLW_ERR_NOT_READY (not registered, or the server
 *         does not observe it now; always on a module that is not dialect B);
 *         QLW_ERR_UNSUPPORTED (built with QLWM2M_DIALECT_MTK=OFF).
 */
QLW_API int qlw_lw_notify(qlw_session *s, uint16_t obj, uint16_t ins, uint16_t res);

#ifdef __cplusplus
}
#endif
#endif /* QLWM2M_LWOBJ_H */
