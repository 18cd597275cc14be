// The build must have failed in the enforcer, naming the duplicate, not for another reason.
def log = new File(basedir, 'build.log').text
assert log.contains('BanDuplicatePomDependencyVersions') : 'the build did not fail in banDuplicatePomDependencyVersions'
assert log.contains('com.google.guava:guava:jar] (2 times)') : 'the enforcer did not name the duplicate guava declaration'
return true
