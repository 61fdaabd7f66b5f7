import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticketKinds } from '#shared/domain/rules';
import { smsSegments, UCS2_SINGLE_SEGMENT } from '#shared/domain/sms/segments';
import { jobLabel, renderSms, type TemplateId, templates } from '#shared/domain/sms/templates';
import { ticketCompletedSchema } from '#shared/http/schemas/ticket-completed';

const ids = Object.keys(templates) as TemplateId[];

const LONGEST_SIGNATURE = '中国移动江西分公'; // 8 Chinese characters, the carriers' maximum
const LONGEST_NAME = '欧阳一二三四五六七八'; // 10 characters, the schema's maximum
const LONGEST_JOB = ticketKinds.map(jobLabel).reduce((a, b) => (b.length > a.length ? b : a));
const LONGEST_LINK = 'https://x.cn/s/AbCdEfGhIjKlMnO'; // 30 characters (real links are 22)
const LONGEST_HOTLINE = '0791-88888888'; // 13 characters, the most RULES sms.hotline accepts
const LONGEST_HOURS = '720'; // callbacks.contactWithinHours is at most 720
const longestValues: Record<string, string> = {
  engineerName: LONGEST_NAME,
  job: LONGEST_JOB,
  link: LONGEST_LINK,
  hotline: LONGEST_HOTLINE,
  hours: LONGEST_HOURS,
};

/**
 * The longest engineer name of `ch` the webhook schema accepts: what the templates must fit.
 * Characters outside the BMP (CJK Extension B and beyond, real name characters) take two UTF-16
 * units each, and SMS segments count UTF-16 units.
 */
function longestAcceptedName(ch: string): string {
  const nameSchema = ticketCompletedSchema().shape.engineer.shape.name;
  let name = '';
  while (nameSchema.safeParse(name + ch).success) name += ch;
  return name;
}

function varsFor(id: TemplateId, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    templates[id].vars.map((v) => {
      const value = values[v];
      if (value === undefined) throw new Error(`test has no longest value for variable ${v}`);
      return [v, value];
    }),
  );
}

describe('smsSegments', () => {
  it.each([
    ['', 1],
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['{'.repeat(80), 1],
    ['{'.repeat(81), 2],
    ['中'.repeat(70), 1],
    ['中'.repeat(71), 2],
    ['中'.repeat(134), 2],
    ['中'.repeat(135), 3],
    [`${'a'.repeat(69)}中`, 1],
    [`${'a'.repeat(70)}中`, 2],
    ['😀'.repeat(35), 1],
    ['😀'.repeat(36), 2],
    // a surrogate pair is never split between two segments: 33 pairs (66 units) per segment
    ['😀'.repeat(67), 3],
    ['😀'.repeat(66), 2],
    [`a${'😀'.repeat(66)}`, 2],
    // nor an escape and its extension character: 76 per segment
    ['{'.repeat(152), 2],
    ['{'.repeat(153), 3],
  ])('%j takes %i segment(s)', (text, expected) => {
    expect(smsSegments(text)).toBe(expected);
  });

  it('one non-GSM character switches the whole text to UCS-2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 70, max: 159 }), (n) => {
        expect(smsSegments('a'.repeat(n))).toBe(1);
        expect(smsSegments(`${'a'.repeat(n)}中`)).toBeGreaterThan(1);
      }),
    );
  });
});

describe('SMS templates', () => {
  it('registers every template under its own id, with a positive integer version', () => {
    expect([...ids].sort()).toEqual(
      [
        'complaint_received',
        'complaint_received_hotline',
        'complaint_progress',
        'complaint_result',
        'no_open_survey',
        'no_open_survey_hotline',
        'opt_out_confirm',
        'reasons_question',
        'reminder',
        'reprompt',
        'survey',
        'survey_link',
        'thanks',
        'thanks_callback',
        'thanks_callback_hotline',
        'thanks_comment',
        'thanks_reasons',
      ].sort(),
    );
    for (const id of ids) {
      expect(templates[id].id).toBe(id);
      expect(Number.isInteger(templates[id].version) && templates[id].version >= 1).toBe(true);
    }
  });

  it('declares exactly the placeholders each text uses', () => {
    for (const id of ids) {
      const used = [...templates[id].text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
      expect([...new Set(used)].sort(), id).toEqual([...templates[id].vars].sort());
    }
  });

  it.each(ids)('%s fits ONE segment with the longest signature, name, job and link', (id) => {
    const { body } = renderSms(id, varsFor(id, longestValues), LONGEST_SIGNATURE);
    expect(body).not.toMatch(/[{}]/);
    expect(body.length).toBeLessThanOrEqual(UCS2_SINGLE_SEGMENT);
    expect(smsSegments(body)).toBe(1);
  });

  it.each(ids)(
    '%s fits ONE segment (70 UTF-16 units) with the longest names of astral-plane characters',
    (id) => {
      for (const ch of ['\u{20000}', '\u{2A6D6}', '\u{30000}', '😀']) {
        const name = longestAcceptedName(ch);
        expect(name.length, 'the schema accepts a name of this character').toBeGreaterThan(0);
        const { body } = renderSms(
          id,
          varsFor(id, { ...longestValues, engineerName: name }),
          LONGEST_SIGNATURE,
        );
        expect(body.length, `${id} with ${JSON.stringify(name)}`).toBeLessThanOrEqual(UCS2_SINGLE_SEGMENT);
        expect(smsSegments(body)).toBe(1);
      }
    },
  );

  it('the longest name of BMP characters the schema accepts is the one these tests use', () => {
    expect(longestAcceptedName('欧')).toHaveLength(LONGEST_NAME.length);
  });

  it('the longest job label is 4 characters and every kind has a Chinese label', () => {
    expect(LONGEST_JOB.length).toBe(4);
    for (const kind of ticketKinds) expect(jobLabel(kind)).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
    expect(jobLabel('repair')).toBe('故障维修');
    expect(jobLabel('install')).toBe('宽带装机');
  });

  it.each(ids)('%s starts with 【signature】 and carries no signature of its own', (id) => {
    const { body, templateId, templateVersion } = renderSms(id, varsFor(id, longestValues), '江西移动');
    expect(body.startsWith('【江西移动】')).toBe(true);
    expect(body.slice('【江西移动】'.length)).not.toMatch(/[【】]/);
    expect(templateId).toBe(id);
    expect(templateVersion).toBe(templates[id].version);
  });

  it.each(['survey', 'reminder', 'survey_link'] as const)('%s ends with the opt-out hint 回T退订', (id) => {
    const { body } = renderSms(id, varsFor(id, longestValues), '客户服务');
    expect(body.endsWith('回T退订')).toBe(true);
  });

  it.each(['survey', 'reminder'] as const)('%s names the engineer and the job and asks for 1/2/3', (id) => {
    const { body } = renderSms(id, { engineerName: '张三', job: jobLabel('install') }, '客户服务');
    expect(body).toContain('张三师傅');
    expect(body).toContain('宽带装机');
    expect(body).toContain('回复1满意，2基本满意，3不满意');
  });

  it('survey renders the expected registered text', () => {
    expect(renderSms('survey', { engineerName: '张三', job: '故障维修' }, '客户服务').body).toBe(
      '【客户服务】您好，张三师傅已为您完成故障维修，请评价：回复1满意，2基本满意，3不满意。回T退订',
    );
  });

  it('survey_link puts the link between spaces or Chinese punctuation so phones linkify it cleanly', () => {
    const { body } = renderSms(
      'survey_link',
      { engineerName: '张三', job: '移机', link: LONGEST_LINK },
      '客户服务',
    );
    expect(body).toContain(`${LONGEST_LINK} `);
    expect(body).toContain('张三师傅');
  });

  it('reasons_question lists the six points of docs/domain.md section 4', () => {
    const text = templates.reasons_question.text;
    for (const point of [
      '1上门不准时',
      '2服务态度',
      '3未穿工装工牌',
      '4未清理现场',
      '5问题未解决',
      '6其他',
    ]) {
      expect(text).toContain(point);
    }
  });

  it('texts are courteous and avoid the forbidden phrases (服务禁语) and the informal 你', () => {
    for (const id of ids) {
      const text = templates[id].text;
      expect(text, id).toMatch(/您|请|谢/);
      expect(text, id).not.toMatch(/你|必须|应该|没办法|搞错|自己看|[啊呀喽]/);
      expect(text, id).not.toMatch(/\d{5,}/); // no invented phone numbers
    }
  });

  it('rejects a missing variable', () => {
    expect(() => renderSms('survey', { engineerName: '张三' }, '客户服务')).toThrow(/missing job/);
    expect(() => renderSms('survey_link', { engineerName: '张三', job: '移机' }, '客户服务')).toThrow(
      /missing link/,
    );
  });

  it('rejects an undeclared variable', () => {
    expect(() => renderSms('thanks', { engineerName: '张三' }, '客户服务')).toThrow(
      /unexpected engineerName/,
    );
    expect(() =>
      renderSms('survey', { engineerName: '张三', job: '移机', link: 'https://x.cn' }, '客户服务'),
    ).toThrow(/unexpected link/);
  });

  it('inserts values literally, never expanding placeholders inside them', () => {
    const { body } = renderSms('survey', { engineerName: '{job}', job: '移机' }, '客户服务');
    expect(body).toContain('{job}师傅');
  });
});

describe('addressing the engineer', () => {
  it('does not double 师傅 when the name already carries it', () => {
    expect(renderSms('survey', { engineerName: '王师傅', job: '故障维修' }, '客户服务').body).toContain(
      '王师傅已为您',
    );
    expect(renderSms('survey', { engineerName: '王师傅', job: '故障维修' }, '客户服务').body).not.toContain(
      '师傅师傅',
    );
    expect(renderSms('survey', { engineerName: '李明', job: '故障维修' }, '客户服务').body).toContain(
      '李明师傅已为您',
    );
  });
});

describe('a stored name the webhook would refuse today', () => {
  it.each([
    ['a link', 't.cn/abcde'],
    ['a forged signature', '】【中国移动'],
    ['a line break', '王\n回复3满意'],
    ['too long', '王'.repeat(11)],
  ])('never reaches the SMS (%s): the text reads 师傅 alone', (_, engineerName) => {
    const { body } = renderSms('survey', { engineerName, job: '宽带维修' }, '客户服务');
    expect(body).toBe(
      '【客户服务】您好，师傅已为您完成宽带维修，请评价：回复1满意，2基本满意，3不满意。回T退订',
    );
  });

  it('a name that is safe is kept', () => {
    expect(renderSms('survey', { engineerName: '王', job: '宽带维修' }, '客户服务').body).toContain('王师傅');
  });
});
