/** Where a query came in: UDP responses are capped by the client's EDNS size, TCP's are not. */
export const Transport = {
  UDP: 0,
  TCP: 1,
} as const;

export type Transport = (typeof Transport)[keyof typeof Transport];
