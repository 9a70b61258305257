/*
 * What the example needs from a board: a UART to the modem and a millisecond
 * tick. board.c fills these with stand-ins so the example links anywhere;
 * on a real board they are a few lines over the vendor's UART and SysTick.
 */
#ifndef QLWM2M_EXAMPLE_MCU_BOARD_H
#define QLWM2M_EXAMPLE_MCU_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Sets up the UART (9600 8N1 for the BC68 family), its receive interrupt and a 1 ms tick. */
void board_init(void);

/* Milliseconds since board_init(), from the tick interrupt; wraps at 2^32. */
uint32_t board_ms(void);

/* Moves up to @p size received bytes out of the receive ring; never blocks. */
size_t board_uart_read(uint8_t *buf, size_t size);

/* Queues up to @p size bytes for sending; returns how many were taken. */
size_t board_uart_write(const uint8_t *buf, size_t size);

/* Sleeps until an interrupt (a received byte, the tick). */
void board_idle(void);

#endif
