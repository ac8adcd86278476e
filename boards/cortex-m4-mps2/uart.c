#include "uart.h"

/* CMSDK APB UART registers (ARM DDI 0479, 4.3). */
typedef struct {
    volatile uint32_t data;      /* 0x00: RX on read, TX on write (8 bits) */
    volatile uint32_t state;     /* 0x04: bit 0 TX buffer full, bit 1 RX buffer full, bits 2-3 overruns (write 1 to clear) */
    volatile uint32_t ctrl;      /* 0x08: bit 0 TX enable, bit 1 RX enable */
    volatile uint32_t intstatus; /* 0x0C */
    volatile uint32_t bauddiv;   /* 0x10: >= 16 */
} cmsdk_uart;

#define UART0 ((cmsdk_uart *)0x40004000u)
#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u

void uart_init(uint32_t cpu_hz, uint32_t baud) {
    UART0->ctrl = 0;
    UART0->bauddiv = cpu_hz / baud;
    UART0->state = 0xCu;          /* clear overrun flags */
    UART0->ctrl = 0x3u;           /* TX and RX enabled, no interrupts */
}

int uart_try_put(uint8_t byte) {
    if (UART0->state & STATE_TX_FULL) return 0;
    UART0->data = byte;
    return 1;
}

int uart_try_get(uint8_t *byte) {
    if (!(UART0->state & STATE_RX_FULL)) return 0;
    *byte = (uint8_t)UART0->data;
    return 1;
}
