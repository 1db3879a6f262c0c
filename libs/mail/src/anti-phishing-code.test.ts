import { MAIL_TEMPLATES } from '@pandora/domain';
import { renderMail } from './render';

describe('the anti-phishing code in every template', () => {
  it.each(MAIL_TEMPLATES.map((template) => [template]))('is shown verbatim in the text and the HTML part of %s', (template) => {
    const rendered = renderMail(
      { template, recipient: 'ada@example.com', data: { first_name: 'Ada', anti_phishing_code: 'Orchid42' }, linkToken: 'tok_123' },
      { publicWebUrl: 'https://exchange.example' },
    );
    expect(rendered.text).toContain('Orchid42');
    expect(rendered.html).toContain('Orchid42');
  });
});
