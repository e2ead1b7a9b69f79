package io.thingflux.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a test class or method, with the reason shown in the report, when no mosquitto binary is
 * available (see {@link MosquittoBroker#find()}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresMosquitto.MosquittoAvailable.class)
public @interface RequiresMosquitto {

    /** The condition behind {@link RequiresMosquitto}. */
    final class MosquittoAvailable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return MosquittoBroker.find()
                    .map(i -> ConditionEvaluationResult.enabled("mosquitto found at " + i.binary()))
                    .orElseGet(
                            () ->
                                    ConditionEvaluationResult.disabled(
                                            MosquittoBroker.absenceReason()));
        }
    }
}
