// Authorises the alias ORG_ALIAS (in $HOME) as an org at a closed local port, for
// tests/sf_cli.rs: the access token is stored as given, without asking any server (username,
// org id and org facts are supplied), so commands get past org resolution and fail only when
// they connect. usage: SF_NODE_MODULES=... HOME=... node fake-org.js
const core = require(process.env.SF_NODE_MODULES + '/@salesforce/core');
(async () => {
  const username = 'sfgen-test@example.com';
  const auth = await core.AuthInfo.create({
    username,
    accessTokenOptions: {
      accessToken: '00D000000000001!fake',
      instanceUrl: 'http://127.0.0.1:9',
      loginUrl: 'http://127.0.0.1:9',
      username,
      orgId: '00D000000000001AAA',
      isDevHub: false,
      namespacePrefix: null,
      isSandbox: false,
      isScratch: false,
    },
  });
  await auth.save();
  await auth.setAlias('ORG_ALIAS');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
