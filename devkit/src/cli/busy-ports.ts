import { createServer } from 'node:net';

export interface NamedPort {
  /** What the port is for, as `npm start` prints it: "Preview", "Backend", "Emulator". */
  name: string;
  port: number;
  /** The flag that moves it, for the message. */
  flag: string;
}

/**
 * The fixed ports that something else already listens on, checked before
 * anything starts: otherwise the emulator and the backend come up (and migrate
 * the database) before the preview finds its port taken, and the error names
 * no port. Port 0 (any free port) is never busy.
 */
export async function findBusyPorts(host: string, ports: readonly NamedPort[]): Promise<NamedPort[]> {
  const busy: NamedPort[] = [];
  for (const entry of ports) {
    if (entry.port !== 0 && !(await canListen(host, entry.port))) busy.push(entry);
  }
  return busy;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => {
      probe.close(() => resolve(true));
    });
  });
}

export function describeBusyPort(entry: NamedPort, command: string): string {
  return `${command}: the ${entry.name} port ${entry.port} is already in use (another Pagewire still running, or another program). Stop it, or pick another port: ${entry.flag} <n> (0 = any free port).`;
}
