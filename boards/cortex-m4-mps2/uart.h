/* The CMSDK APB UART (ARM Cortex-M System Design Kit), UART0 of mps2-an386 at 0x40004000: the
 * board's line to the gateway. Polled, non-blocking: the main loop moves one byte at a time. */
#ifndef MCU_UART_H
#define MCU_UART_H
#include <stdint.h>
void uart_init(uint32_t cpu_hz, uint32_t baud);
int uart_try_put(uint8_t byte);   /* 1 when taken, 0 when the transmitter is full */
int uart_try_get(uint8_t *byte);  /* 1 when a byte was there */
#endif
