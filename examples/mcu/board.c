/*
 * Stand-in board: a receive ring filled by the UART interrupt, a tick
 * counter, and sleeping on WFI. Replace the two interrupt handlers' bodies
 * and board_init() with your vendor's UART and SysTick set-up; the rest is
 * portable.
 */
#include "board.h"

#define RX_RING_BYTES 256u /* a power of two: indices wrap with a mask */

static volatile uint32_t ticks_ms;
static uint8_t rx_ring[RX_RING_BYTES];
static volatile uint32_t rx_head; /* written by the interrupt only */
static uint32_t rx_tail;          /* written by the main loop only */

/* Interrupt handlers are called from the vector table, not from C. */
void SysTick_Handler(void);
void USART1_IRQHandler(void);

void SysTick_Handler(void)
{
    ticks_ms++;
}

/* One received byte; a full ring drops it (the AT engine sees a damaged line, not a crash). */
static void rx_byte(uint8_t byte)
{
    uint32_t head = rx_head;
    if (head - rx_tail < RX_RING_BYTES) {
        rx_ring[head & (RX_RING_BYTES - 1u)] = byte;
        rx_head = head + 1u;
    }
}

void USART1_IRQHandler(void)
{
    /* A real handler reads the data register here: rx_byte((uint8_t)USART1->DR). */
    rx_byte(0);
}

void board_init(void)
{
    ticks_ms = 0;
    rx_head = 0;
    rx_tail = 0;
}

uint32_t board_ms(void)
{
    return ticks_ms;
}

size_t board_uart_read(uint8_t *buf, size_t size)
{
    size_t n = 0;
    uint32_t head = rx_head;
    while (n < size && rx_tail != head) {
        buf[n++] = rx_ring[rx_tail & (RX_RING_BYTES - 1u)];
        rx_tail++;
    }
    return n;
}

size_t board_uart_write(const uint8_t *buf, size_t size)
{
    /* A real board hands these to the UART (a transmit ring, or DMA). */
    (void)buf;
    return size;
}

void board_idle(void)
{
#if defined(__arm__)
    __asm volatile("wfi");
#endif
}
