/**
 * What a Tencent Cloud SMS SendSms error code (Response.Error.Code, or the per-number
 * SendStatusSet[].Code) means for our retry: `permanent` when the request will never be accepted
 * as it is (the number refused or on the do-not-disturb list, the template or the signature not
 * approved, the parameters refused), `transient` when a later attempt may succeed (frequency
 * limits, internal errors, account, balance or permission problems the operator can fix). Codes:
 * the SMS API 3.0 error codes and the common error codes. A code not listed takes its family's
 * rule (below), else transient, so that nothing is dropped for a code we do not know yet. Pure.
 */
export const TENCENT_ERRORS: Readonly<Record<string, 'transient' | 'permanent'>> = {
  'FailedOperation.PhoneNumberInBlacklist': 'permanent',
  'FailedOperation.PhoneNumberParseFail': 'permanent',
  'FailedOperation.SignatureIncorrectOrUnapproved': 'permanent',
  'FailedOperation.TemplateIncorrectOrUnapproved': 'permanent',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': 'permanent',
  'FailedOperation.TemplateUnapprovedOrNotExist': 'permanent',
  'FailedOperation.ContainSensitiveWord': 'permanent',
  'FailedOperation.FailResolvePacket': 'permanent',
  'FailedOperation.JsonParseFail': 'permanent',
  'FailedOperation.MissingSignature': 'permanent',
  'FailedOperation.MissingTemplateToModify': 'permanent',
  'InvalidParameterValue.IncorrectPhoneNumber': 'permanent',
  'InvalidParameterValue.ContentLengthLimit': 'permanent',
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': 'permanent',
  'InvalidParameterValue.TemplateParameterFormatError': 'permanent',
  'InvalidParameterValue.TemplateParameterLengthLimit': 'permanent',
  'LimitExceeded.PhoneNumberCountLimit': 'permanent',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': 'permanent',
  'UnsupportedOperation.UnsupportedRegion': 'permanent',
  // Account and configuration: the operator fixes them, the message is still wanted
  'FailedOperation.InsufficientBalanceInSmsPackage': 'transient',
  'FailedOperation.MarketingSendTimeConstraint': 'transient',
  'InvalidParameterValue.SdkAppIdNotExist': 'transient',
  'UnauthorizedOperation.SdkAppIdIsDisabled': 'transient',
  'UnauthorizedOperation.SerivceSuspendDueToArrears': 'transient',
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': 'transient',
  'UnauthorizedOperation.RequestIpNotInWhitelist': 'transient',
  'UnauthorizedOperation.RequestPermissionDeny': 'transient',
  'UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny': 'transient',
};

/** Families: limits, internal errors and authentication are transient; refused parameters permanent. */
const FAMILIES: ReadonlyArray<readonly [string, 'transient' | 'permanent']> = [
  ['LimitExceeded', 'transient'],
  ['RequestLimitExceeded', 'transient'],
  ['InternalError', 'transient'],
  ['AuthFailure', 'transient'],
  ['UnauthorizedOperation', 'transient'],
  ['ResourceUnavailable', 'transient'],
  ['InvalidParameterValue', 'permanent'],
  ['InvalidParameter', 'permanent'],
  ['MissingParameter', 'permanent'],
];

export function classifyTencentError(code: string): 'transient' | 'permanent' {
  if (Object.hasOwn(TENCENT_ERRORS, code)) return TENCENT_ERRORS[code] ?? 'transient';
  const family = code.split('.')[0];
  return FAMILIES.find(([f]) => f === family)?.[1] ?? 'transient';
}
