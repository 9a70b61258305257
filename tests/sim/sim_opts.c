/* Command line, power-on defaults and --help. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define DEFAULT_IMEI  "869252030012345"
#define DEFAULT_IMSI  "001010123456789"
#define DEFAULT_ICCID "89001012345678901234"
#define MAX_MS        86400000u

enum {
    OPT_FAULT = 256, /* the option's name is a fault switch of sim_fault.c */
    OPT_MODEL,
    OPT_LINK,
    OPT_SCRIPT,
    OPT_BANNER,
    OPT_IMEI,
    OPT_IMSI,
    OPT_ICCID,
    OPT_REGSWT,
    OPT_NCDP,
    OPT_NO_AUTOCONNECT,
    OPT_ROAMING,
    OPT_UNREACHABLE,
    OPT_LOG_COMMANDS,
    OPT_WALL_CLOCK,
    OPT_SEED,
    OPT_ATTACH_MS,
    OPT_REGISTER_MS,
    OPT_OBSERVE_MS,
    OPT_ACK_MS,
    OPT_RRC_IDLE_MS,
    OPT_BOOT_MS,
    OPT_EXIT_MS,
};

static const struct option long_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"verbose", no_argument, NULL, 'v'},
    {"model", required_argument, NULL, OPT_MODEL},
    {"link", required_argument, NULL, OPT_LINK},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"banner", no_argument, NULL, OPT_BANNER},
    {"imei", required_argument, NULL, OPT_IMEI},
    {"imsi", required_argument, NULL, OPT_IMSI},
    {"iccid", required_argument, NULL, OPT_ICCID},
    {"regswt", required_argument, NULL, OPT_REGSWT},
    {"ncdp", required_argument, NULL, OPT_NCDP},
    {"no-autoconnect", no_argument, NULL, OPT_NO_AUTOCONNECT},
    {"roaming", no_argument, NULL, OPT_ROAMING},
    {"unreachable", required_argument, NULL, OPT_UNREACHABLE},
    {"log-commands", no_argument, NULL, OPT_LOG_COMMANDS},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {"seed", required_argument, NULL, OPT_SEED},
    {"attach-delay-ms", required_argument, NULL, OPT_ATTACH_MS},
    {"register-delay-ms", required_argument, NULL, OPT_REGISTER_MS},
    {"observe-delay-ms", required_argument, NULL, OPT_OBSERVE_MS},
    {"ack-delay-ms", required_argument, NULL, OPT_ACK_MS},
    {"rrc-idle-ms", required_argument, NULL, OPT_RRC_IDLE_MS},
    {"boot-ms", required_argument, NULL, OPT_BOOT_MS},
    {"exit-after-ms", required_argument, NULL, OPT_EXIT_MS},
    {"echo", no_argument, NULL, OPT_FAULT},
    {"deny", no_argument, NULL, OPT_FAULT},
    {"never-observe", no_argument, NULL, OPT_FAULT},
    {"garbage", no_argument, NULL, OPT_FAULT},
    {"downlink", required_argument, NULL, OPT_FAULT},
    {"reboot-on", required_argument, NULL, OPT_FAULT},
    {"drop-final", required_argument, NULL, OPT_FAULT},
    {"late-final-ms", required_argument, NULL, OPT_FAULT},
    {"reboot-after-final", required_argument, NULL, OPT_FAULT},
    {"reboot-after-tx", required_argument, NULL, OPT_FAULT},
    {"cut-final", required_argument, NULL, OPT_FAULT},
    {"stall-on", required_argument, NULL, OPT_FAULT},
    {"stall-ms", required_argument, NULL, OPT_FAULT},
    {"status-first", required_argument, NULL, OPT_FAULT},
    {"discard-non", required_argument, NULL, OPT_FAULT},
    {"no-nsmi", no_argument, NULL, OPT_FAULT},
    {"flood", required_argument, NULL, OPT_FAULT},
    {"cancel-observe-after", required_argument, NULL, OPT_FAULT},
    {"busy", required_argument, NULL, OPT_FAULT},
    {"con-fail", required_argument, NULL, OPT_FAULT},
    {"reg-fail", no_argument, NULL, OPT_FAULT},
    {"dtls-fail", no_argument, NULL, OPT_FAULT},
    {"reject-fota", no_argument, NULL, OPT_FAULT},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "Usage: qlwm2m-sim [OPTION]...\n"
    "Simulates a Quectel BC68 (Neul V150 firmware, BC68JAR01A10) on a pseudo-terminal,\n"
    "with a virtual LwM2M server that observes /19/0/0 after registration; or, with\n"
    "--model ec200u, an EC200U whose AT+QLWCFG client reports +QLWURC events; or, with\n"
    "--model bc66 / bc26, a BC66 (AT+QLWCONFIG set) or a BC26 (AT+QLWSERV set) that boot\n"
    "with their server stored (--ncdp's address, else 198.51.100.1; the IMEI as endpoint).\n"
    "The first line on stdout is the pty path; then one JSON event per line.\n"
    "\n"
    "Port and run:\n"
    "  --model bc68|ec200u|bc66|bc26  the module (default bc68). bc66: AT+QLWREG, the server's\n"
    "                           requests in +QLWURC answered by the host, AT+QLWNOTIFY;\n"
    "                           bc26: AT+QLWOPEN, +QLWOBSERVE, AT+QLWDATASEND, SEND OK.\n"
    "                           ec200u: an LTE Cat 1 module with\n"
    "                           the AT+QLWCFG LwM2M client (QuecPython's lwm2m set): 3GPP\n"
    "                           spacing (+CEREG: 1), RDY at restart, ERROR to the BC68's\n"
    "                           own commands (AT+NCDP, AT+QLWSREGIND, ...)\n"
    "  --link PATH              also create a symlink PATH to the pty (removed at exit)\n"
    "  --banner                 print the power-on banner at start (else: already booted)\n"
    "  --echo                   command echo on at power-on (ATE0/ATE1 switch it)\n"
    "  --exit-after-ms MS       exit after MS milliseconds\n"
    "  --script FILE.at         play a transcript as the modem instead of simulating;\n"
    "                           exit 0 at its end, 1 if the host deviated from it\n"
    "  --log-commands           report every command line as a \"command\" event\n"
    "  --wall-clock             uplink events also carry \"wall_ms\" (ms since 1970)\n"
    "  --seed N                 seed of the deterministic PRNG (default 1)\n"
    "  -v, --verbose            log host commands on stderr\n"
    "  -h, --help               show this help\n"
    "\n"
    "Module:\n"
    "  --imei N / --imsi N / --iccid N   identities (AT+CGSN, AT+CIMI, AT+NCCID)\n"
    "  --regswt N               NV value of AT+QREGSWT (0 manual, 1 auto, 2 off; default 0)\n"
    "  --ncdp IP[:PORT]         NV value of AT+NCDP (default: never set)\n"
    "  --no-autoconnect         NV AUTOCONNECT=FALSE (stay at CFUN=0 after boot)\n"
    "  --roaming                register as roaming (+CEREG stat 5) instead of home (1)\n"
    "  --unreachable IP         AT+NPING to IP ends in +NPINGERR:1 (repeatable)\n"
    "\n"
    "Timing (ms):\n"
    "  --attach-delay-ms MS     search to attach (default 500)\n"
    "  --register-delay-ms MS   QLWSREGIND to +QLWEVTIND:0, and deregistration (300)\n"
    "  --observe-delay-ms MS    +QLWEVTIND:0 to +QLWEVTIND:3 (1000)\n"
    "  --ack-delay-ms MS        CON uplink to +QLWULDATASTATUS; uplink to queued downlink (200)\n"
    "  --rrc-idle-ms MS         inactivity before +CSCON:0 (20000)\n"
    "  --boot-ms MS             reboot to banner (300)\n"
    "\n";

/* In pieces: C99 compilers need only take strings up to 4095 bytes. */
static const char usage_faults[] =
    "Faults:\n"
    "  --deny                   the network rejects the attach (+CEREG:3)\n"
    "  --never-observe          the server never observes /19/0/0\n"
    "  --reboot-on PREFIX[:N]   watchdog reboot on the N-th command starting with PREFIX,\n"
    "                           after part of its answer (repeatable)\n"
    "  --drop-final PREFIX[:N]  answer the N-th such command without its final result\n"
    "  --late-final-ms MS       send dropped final results MS later instead (and the rest\n"
    "                           of a cut one); meanwhile the module, still busy with that\n"
    "                           command, reads no new one (they wait in the line)\n"
    "  --cut-final PREFIX[:N]   the N-th such command's final result stops mid-word\n"
    "                           (\"O\" of \"OK\"); the rest never comes (see --late-final-ms)\n"
    "  --reboot-after-final PREFIX[:N]  answer the N-th such command in full (an uplink:\n"
    "                           OK), then reboot before acting on it: the uplink is\n"
    "                           lost, the server never gets it\n"
    "  --reboot-after-tx PREFIX[:N]  act on the N-th such command (the server gets the\n"
    "                           uplink) and answer it, then reboot before any URC it\n"
    "                           raised (+NSMI:SENT, +QLWULDATASTATUS)\n"
    "  --stall-on PREFIX[:N]    the module falls silent at the N-th such command: it\n"
    "                           reads and prints nothing for --stall-ms, then answers\n"
    "  --stall-ms MS            length of a stall (default 3000)\n"
    "  --status-first PREFIX[:N]  the N-th such CON uplink is acknowledged at once:\n"
    "                           +QLWULDATASTATUS comes before the command's OK\n"
    "  --discard-non N          the N-th NON uplink from now is dropped inside the\n"
    "                           module (+NSMI:DISCARDED with AT+NSMI=1)\n"
    "  --no-nsmi                firmware without AT+NSMI: ERROR to every form\n"
    "  --flood N                burst N +CSCON/+NPSMR URCs after the first registration\n"
    "  --garbage                sprinkle NULs and bytes >= 0x80 between and inside lines\n"
    "  --cancel-observe-after N +QLWEVTIND:9 after the N-th uplink; observed again later\n"
    "  --busy N                 answer +CME ERROR: 159 to the next N uplinks\n"
    "  --con-fail N             the next N CON uplinks end in +QLWULDATASTATUS:3 (timeout)\n"
    "  --downlink HEX           queue a downlink, sent after the next uplink (repeatable)\n"
    "  --reg-fail               ec200u: registration ends in +QLWURC: \"ready\",\"failed\"\n"
    "  --dtls-fail              ec200u: the DTLS handshake fails (+QLWURC: \"dtls\",\"failed\")\n"
    "  --reject-fota            ec200u: firmware without AT+QLWCFG=\"fota\" (answers ERROR)\n"
    "  bc66/bc26: --con-fail N ends CONs in a negative \"report_ack\" / SEND FAIL;\n"
    "  --reg-fail in +QLWREG: 1 / CONNECT FAIL; --busy N in +CMEE ERROR: 32 / +CME ERROR: 159;\n"
    "  --cancel-observe-after, --never-observe, --drop-final, --late-final-ms, --reboot-on\n"
    "  and reboot as for the bc68 (a restart loses objects and registration).\n"
    "\n";

static const char usage_control[] =
    "Control lines on stdin (one per line):\n"
    "  reboot [CAUSE]  cancel-observe  cancel-observe-after N  flood N (now)\n"
    "  garbage [on|off]  drop-final PREFIX[:N]  reboot-on PREFIX[:N]  late-final-ms MS\n"
    "  busy N  con-fail N  echo on|off  never-observe [on|off]  deny [on|off]\n"
    "  downlink HEX (now when observed, else after the next uplink)  urc TEXT  quit\n"
    "  reg-fail|dtls-fail|reject-fota [on|off]  no-nsmi [on|off]  discard-non N\n"
    "  reboot-after-final|reboot-after-tx|cut-final|stall-on|status-first PREFIX[:N]\n"
    "  stall MS (silent from now)  stall-ms MS\n"
    "  qlwurc ARGS     print +QLWURC: ARGS, e.g. qlwurc \"apn_changed\",\"iot.example\"\n"
    "  bc66 server requests: server-read OBJ/INS[/RES]  server-write OBJ/INS/RES TYPE VALUE\n"
    "  server-execute OBJ/INS/RES  server-observe OBJ/INS/RES  server-repeat (same msgid)\n"
    "\n"
    "Events: command, booted, reboot, attached, attach_denied, detached, registered,\n"
    "observed, observe_cancelled, deregistered, uplink, uplink_lost, rejected, con_result,\n"
    "downlink, flood, final_dropped, final_cut, late_final, reboot_mid_command,\n"
    "reboot_after_final, "
    "reboot_after_tx, stall, control, control_error, script_mismatch;\n"
    "ec200u: registered (with ssid), register_failed (with stage), updated, deregistered;\n"
    "bc66/bc26: object_added, request, request_repeated, response, notify, register_failed.\n"
    "ec200u +QLWURC reporting is off until AT+QLWCFG=\"urc\",1 (stored like the module's).\n"
    "\n"
    "What the server received: one \"uplink\" event per message that reached it, with\n"
    "\"n\" (count of all messages received), \"copy\" (1 the first time this payload\n"
    "arrived, 2 the second: a duplicate), \"seq\", \"mode\" and \"hex\". \"uplink_lost\"\n"
    "(\"why\": con timeout, discarded) is a message the module took that never arrived.\n"
    "AT+NSMI=1 (volatile) adds +NSMI:SENT after a NON left, +NSMI:DISCARDED when it\n"
    "was dropped; AT+QLWULDATASTATUS? answers the last CON's status (0 before any).\n";

void state_defaults(struct sim *s)
{
    static const uint8_t bands[] = {5, 8, 3, 28, 20, 1};
    struct sim_nv *nv = &s->st.nv;
    str_copy(s->opt.imei, sizeof s->opt.imei, DEFAULT_IMEI);
    str_copy(s->opt.imsi, sizeof s->opt.imsi, DEFAULT_IMSI);
    str_copy(s->opt.iccid, sizeof s->opt.iccid, DEFAULT_ICCID);
    s->opt.attach_delay_ms = 500;
    s->opt.register_delay_ms = 300;
    s->opt.observe_delay_ms = 1000;
    s->opt.ack_delay_ms = 200;
    s->opt.rrc_idle_ms = 20000;
    s->opt.boot_ms = 300;
    memcpy(nv->bands, bands, sizeof bands);
    nv->nbands = sizeof bands;
    nv->nconfig[NCFG_AUTOCONNECT] = true;
    nv->nconfig[NCFG_SCRAMBLING] = true;
    nv->nconfig[NCFG_SI_AVOID] = true;
    str_copy(nv->psm_tau, sizeof nv->psm_tau, "01000001");
    str_copy(nv->psm_active, sizeof nv->psm_active, "00000101");
    lte_nv_defaults(&nv->lte);
    s->st.prng = 1;
    s->st.faults.stall_ms = 3000;
}

static bool set_id(char *dst, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n >= size || strspn(value, "0123456789") != n)
        return false;
    str_copy(dst, size, value);
    return true;
}

static bool set_ncdp(struct sim *s, const char *value)
{
    char ip[16];
    uint32_t port = 5683;
    const char *colon = strchr(value, ':');
    size_t n = colon ? (size_t)(colon - value) : strlen(value);
    if (n >= sizeof ip)
        return false;
    memcpy(ip, value, n);
    ip[n] = '\0';
    if (!ipv4_valid(ip) || (colon && !parse_u32(colon + 1, 1, 65535, &port)))
        return false;
    str_copy(s->st.nv.ncdp_ip, sizeof s->st.nv.ncdp_ip, ip);
    s->st.nv.ncdp_port = (uint16_t)port;
    s->st.nv.ncdp_set = true;
    return true;
}

static bool add_unreachable(struct sim *s, const char *ip)
{
    if (!ipv4_valid(ip) || s->opt.nunreachable == SIM_UNREACHABLE_MAX)
        return false;
    str_copy(s->opt.unreachable[s->opt.nunreachable++], sizeof s->opt.unreachable[0], ip);
    return true;
}

static bool set_seed(struct sim *s, const char *value)
{
    uint32_t seed;
    if (!parse_u32(value, 0, UINT32_MAX, &seed))
        return false;
    /* Spread small seeds over the whole state; xorshift must never hold 0. */
    s->st.prng = ((uint64_t)seed + 1) * 0x9E3779B97F4A7C15ull;
    return true;
}

static uint32_t *timing_field(struct sim *s, int opt)
{
    switch (opt) {
    case OPT_ATTACH_MS:
        return &s->opt.attach_delay_ms;
    case OPT_REGISTER_MS:
        return &s->opt.register_delay_ms;
    case OPT_OBSERVE_MS:
        return &s->opt.observe_delay_ms;
    case OPT_ACK_MS:
        return &s->opt.ack_delay_ms;
    case OPT_RRC_IDLE_MS:
        return &s->opt.rrc_idle_ms;
    case OPT_BOOT_MS:
        return &s->opt.boot_ms;
    case OPT_EXIT_MS:
        return &s->opt.exit_after_ms;
    default:
        return NULL;
    }
}

static bool apply_flag(struct sim *s, int opt)
{
    switch (opt) {
    case OPT_BANNER:
        s->opt.banner = true;
        return true;
    case OPT_NO_AUTOCONNECT:
        s->st.nv.nconfig[NCFG_AUTOCONNECT] = false;
        return true;
    case OPT_ROAMING:
        s->opt.roaming = true;
        return true;
    case OPT_LOG_COMMANDS:
        s->opt.log_commands = true;
        return true;
    case OPT_WALL_CLOCK:
        s->opt.wall_clock = true;
        return true;
    case 'v':
        s->opt.verbose = true;
        return true;
    default:
        return false;
    }
}

static bool set_model(struct sim *s, const char *value)
{
    if (str_ieq(value, "bc68"))
        s->opt.model = MODEL_BC68;
    else if (str_ieq(value, "ec200u"))
        s->opt.model = MODEL_EC200U;
    else if (str_ieq(value, "bc66"))
        s->opt.model = MODEL_BC66;
    else if (str_ieq(value, "bc26"))
        s->opt.model = MODEL_BC26;
    else
        return false;
    return true;
}

static bool apply_value(struct sim *s, int opt, const char *arg)
{
    uint32_t regswt;
    switch (opt) {
    case OPT_MODEL:
        return set_model(s, arg);
    case OPT_LINK:
        s->opt.link_path = arg;
        return true;
    case OPT_SCRIPT:
        s->opt.script_path = arg;
        return true;
    case OPT_IMEI:
        return set_id(s->opt.imei, sizeof s->opt.imei, arg);
    case OPT_IMSI:
        return set_id(s->opt.imsi, sizeof s->opt.imsi, arg);
    case OPT_ICCID:
        return set_id(s->opt.iccid, sizeof s->opt.iccid, arg);
    case OPT_REGSWT:
        if (!parse_u32(arg, 0, 2, &regswt))
            return false;
        s->st.nv.regswt = (int)regswt;
        return true;
    case OPT_NCDP:
        return set_ncdp(s, arg);
    case OPT_UNREACHABLE:
        return add_unreachable(s, arg);
    case OPT_SEED:
        return set_seed(s, arg);
    default:
        return false;
    }
}

static bool apply_option(struct sim *s, int opt, int index)
{
    uint32_t *ms = timing_field(s, opt);
    if (ms)
        return parse_u32(optarg, 0, MAX_MS, ms);
    if (opt == OPT_FAULT)
        return fault_apply(s, long_opts[index].name, optarg, false);
    if (optarg)
        return apply_value(s, opt, optarg);
    return apply_flag(s, opt);
}

int opts_parse(struct sim *s, int argc, char **argv)
{
    int opt, index = 0;
    while ((opt = getopt_long(argc, argv, "hv", long_opts, &index)) != -1) {
        if (opt == 'h') {
            fputs(usage_text, stdout);
            fputs(usage_faults, stdout);
            fputs(usage_control, stdout);
            return 1;
        }
        if (opt == '?')
            return -1;
        if (!apply_option(s, opt, index)) {
            fprintf(stderr, "qlwm2m-sim: bad value for --%s: %s\n", long_opts[index].name,
                    optarg ? optarg : "");
            return -1;
        }
        index = 0;
    }
    if (optind < argc) {
        fprintf(stderr, "qlwm2m-sim: unexpected argument: %s\n", argv[optind]);
        return -1;
    }
    return 0;
}
