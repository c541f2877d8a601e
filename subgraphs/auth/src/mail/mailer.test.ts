import type { Logger } from '@bastion/platform';
import { Mailer } from './mailer';
import { MailTemplates } from './templates';

function recordingLogger() {
  const info = jest.fn();
  const error = jest.fn();
  return { logger: { info, error } as unknown as Logger, info, error };
}

describe('Mailer without SMTP_URL', () => {
  const message = new MailTemplates('http://localhost:3000/').resetPassword(
    'ada@example.com',
    'T'.repeat(43),
  );

  it('builds contract links from APP_URL', () => {
    expect(message.link).toBe(`http://localhost:3000/reset-password?token=${'T'.repeat(43)}`);
  });

  it('logs the message with its link outside production, so development needs no mail server', async () => {
    const { logger, info } = recordingLogger();
    const mailer = new Mailer({ from: 'Bastion <no-reply@localhost>', logLinks: true }, logger);
    mailer.send(message);
    await mailer.close();
    expect(info).toHaveBeenCalledWith(
      { to: 'a***@example.com', subject: 'Reset your password', link: message.link },
      expect.any(String),
    );
  });

  it('never logs the link in production: it is a credential', async () => {
    const { logger, info } = recordingLogger();
    const mailer = new Mailer({ from: 'Bastion <no-reply@localhost>', logLinks: false }, logger);
    mailer.send(message);
    await mailer.close();
    expect(JSON.stringify(info.mock.calls)).not.toContain('T'.repeat(43));
  });

  it('logs failed background work instead of throwing, and drains it on close', async () => {
    const { logger, error } = recordingLogger();
    const mailer = new Mailer({ from: 'x <x@localhost>', logLinks: false }, logger);
    let finished = false;
    mailer.later(
      'slow work',
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            finished = true;
            resolve();
          }, 20),
        ),
    );
    mailer.later('failing work', () => Promise.reject(new Error('smtp down')));
    await mailer.close();
    expect(finished).toBe(true);
    expect(error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'failing work failed');
  });
});
