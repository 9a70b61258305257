/* The radio side of the module: boot, attach, +CEREG, RRC (+CSCON) and reboots. */
#include <string.h>

#include "sim.h"

#define CELL_TAC     "0216"
#define CELL_CI      "0153803F"
#define ACT_NB_S1    9
#define ACT_EUTRAN   7
#define REJECT_CAUSE "0,11" /* EMM cause #11: PLMN not allowed */

/* Bytes the BC68 printed while rebooting in the 2018 walkthrough (fixture 07). */
static const char reboot_garbage[] = "\xC3\x83\xC3\xA2"
                                     "F\xC3\xB8";

static const char *const banner_lines[] = {
    "Boot: Unsigned",
    "Security B.. Verified",
    "Protocol A.. Verified",
    "Apps A...... Verified",
};

/* What Quectel LTE modules print after a restart (the exact set on an EC200U
 * is inferred). */
static const char *const ec200u_banner[] = {
    "RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE",
};

bool net_attached(const struct sim *s)
{
    return s->st.radio.stat == STAT_HOME || s->st.radio.stat == STAT_ROAMING;
}

/* The fields after "+CEREG:" (after "<n>," in the read form) for the current <n>. */
void net_cereg_text(const struct sim *s, struct sim_buf *b, int stat)
{
    int n = s->st.vol.cereg_n;
    bool on_cell = stat == STAT_HOME || stat == STAT_ROAMING || stat == STAT_DENIED;
    bool denied = stat == STAT_DENIED;
    bool psm = s->st.nv.psm_mode == 1 && (stat == STAT_HOME || stat == STAT_ROAMING);
    const char *active = psm ? s->st.nv.psm_active : "";
    const char *tau = psm ? s->st.nv.psm_tau : "";
    /* 3GPP quotes TAC and CI; Neul does not. */
    const char *q = s->opt.model == MODEL_EC200U || sim_mtk(s) ? "\"" : "";

    buf_printf(b, "%d", stat);
    if (n < 2)
        return;
    /* Neul prints zeros for TAC and CI when not on a cell. */
    buf_printf(b, ",%s%s%s,%s%s%s,%d", q, on_cell ? CELL_TAC : "0000", q, q,
               on_cell ? CELL_CI : "00000000", q,
               s->opt.model == MODEL_EC200U ? ACT_EUTRAN : ACT_NB_S1);
    if (n == 3 && denied)
        buf_printf(b, ",%s", REJECT_CAUSE);
    else if (n == 4)
        buf_printf(b, ",,,%s,%s", active, tau);
    else if (n == 5)
        buf_printf(b, ",%s,%s,%s", denied ? REJECT_CAUSE : ",", active, tau);
}

static void cereg_urc(struct sim *s)
{
    if (s->st.vol.cereg_n == 0)
        return;
    struct sim_buf b = {0};
    net_cereg_text(s, &b, s->st.radio.stat);
    sim_urc(s, "+CEREG:%s", b.data);
    buf_free(&b);
}

/* ------------------------------------------------------------------- RRC */

void net_rrc_touch(struct sim *s)
{
    if (!s->st.radio.rrc) {
        s->st.radio.rrc = true;
        if (s->st.vol.cscon_n)
            sim_urc(s, "+CSCON:1");
    }
    timer_cancel(s, TMR_RRC_IDLE);
    timer_add(s, TMR_RRC_IDLE, s->opt.rrc_idle_ms, 0, 0, NULL);
}

void net_rrc_release(struct sim *s)
{
    timer_cancel(s, TMR_RRC_IDLE);
    if (!s->st.radio.rrc)
        return;
    s->st.radio.rrc = false;
    if (s->st.vol.cscon_n)
        sim_urc(s, "+CSCON:0");
}

void net_tmr_rrc_idle(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    net_rrc_release(s);
}

/* ---------------------------------------------------------------- attach */

void net_start_attach(struct sim *s)
{
    if (s->st.radio.booting || s->st.radio.cfun != 1)
        return;
    if (net_attached(s) || timer_pending(s, TMR_ATTACH_DONE))
        return;
    s->st.radio.stat = STAT_SEARCHING;
    cereg_urc(s);
    timer_add(s, TMR_ATTACH_DONE, s->opt.attach_delay_ms, 0, 0, NULL);
}

void net_tmr_attach_done(struct sim *s, const struct sim_timer *t)
{
    (void)t;
    if (s->st.faults.deny) {
        s->st.radio.stat = STAT_DENIED;
        cereg_urc(s);
        ev_begin(s, "attach_denied");
        ev_end(s);
        return;
    }
    net_rrc_touch(s);
    s->st.radio.stat = s->opt.roaming ? STAT_ROAMING : STAT_HOME;
    cereg_urc(s);
    ev_begin(s, "attached");
    ev_end(s);
    lw_on_attach(s);
}

void net_detach(struct sim *s)
{
    timer_cancel(s, TMR_ATTACH_DONE);
    if (s->st.radio.stat == STAT_NONE)
        return;
    bool was_attached = net_attached(s);
    s->st.radio.stat = STAT_NONE;
    cereg_urc(s);
    net_rrc_release(s);
    lw_reset(s);
    if (was_attached) {
        ev_begin(s, "detached");
        ev_end(s);
    }
}

/* ------------------------------------------------------------ boot, reboot */

static void volatile_defaults(struct sim *s)
{
    memset(&s->st.vol, 0, sizeof s->st.vol);
    s->st.vol.echo = s->st.echo_default;
}

static void print_banner(struct sim *s, const char *cause)
{
    if (sim_mtk(s)) { /* UNCONFIRMED: the BC66/BC26 banner taken to be RDY alone */
        sim_urc(s, "RDY");
        return;
    }
    if (s->opt.model == MODEL_EC200U) {
        for (size_t i = 0; i < sizeof ec200u_banner / sizeof ec200u_banner[0]; i++)
            sim_urc(s, "%s", ec200u_banner[i]);
        return;
    }
    for (size_t i = 0; i < sizeof banner_lines / sizeof banner_lines[0]; i++)
        sim_urc(s, "%s", banner_lines[i]);
    sim_raw(s, "\r\n", 2); /* the empty line before the cause */
    sim_urc(s, "%s", cause);
    sim_urc(s, "Neul ");
    sim_urc(s, "OK");
}

/* NV settings such as AUTOCONNECT and QREGSWT only take effect here. */
static void boot_complete(struct sim *s, const char *cause)
{
    if (cause)
        print_banner(s, cause);
    s->st.radio.booting = false;
    s->st.radio.autoconnect = s->st.nv.nconfig[NCFG_AUTOCONNECT];
    s->st.lw.regswt = s->st.nv.regswt;
    struct sim_buf *ev = ev_begin(s, "booted");
    ev_str(ev, "cause", cause ? cause : "already running");
    ev_end(s);
    if (s->st.radio.autoconnect) {
        s->st.radio.cfun = 1;
        net_start_attach(s);
    }
}

void net_power_on(struct sim *s)
{
    volatile_defaults(s);
    boot_complete(s, s->opt.banner ? "REBOOT_CAUSE_SECURITY_PMU_POWER_ON_RESET" : NULL);
}

void net_tmr_boot_done(struct sim *s, const struct sim_timer *t)
{
    boot_complete(s, t->text);
}

void net_reboot(struct sim *s, const char *cause)
{
    struct sim_buf *ev = ev_begin(s, "reboot");
    ev_str(ev, "cause", cause);
    ev_end(s);
    timer_cancel_volatile(s);
    volatile_defaults(s);
    s->st.radio.booting = true;
    s->st.radio.cfun = 0;
    s->st.radio.stat = STAT_NONE;
    s->st.radio.rrc = false;
    lw_reset(s);
    lte_reset(s);
    mtk_reset(s);
    s->st.lw.last_status = 0;
    s->st.lw.last_seq = 0;
    s->st.lw.sent = 0;
    s->st.lw.errors = 0;
    s->st.dl.nue = 0;
    s->st.dl.received = 0;
    s->st.dl.dropped = 0;
    at_reset_input(s);
    buf_clear(&s->held); /* the lines waiting in its UART die with it */
    if (s->opt.model == MODEL_BC68) {
        sim_raw(s, "\r\n", 2);
        sim_raw(s, reboot_garbage, sizeof reboot_garbage - 1);
        sim_raw(s, "\r\n", 2);
    }
    timer_add(s, TMR_BOOT_DONE, s->opt.boot_ms, 0, 0, cause);
}
